"""Refusals of the exchange: each carries the HTTP status and a reason in Chinese."""


class ExchangeDenied(Exception):
    """A call or delivery refused (logged as a denial). `code` is stable for clients."""

    def __init__(self, code: str, message: str, status: int = 403):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class ProviderUnavailable(Exception):
    """The provider did not answer usably (down, timed out, circuit open, invalid answer)."""
