def load(log) -> None:
    pass
