"""Demo exchange: the class tree, the resources of the demo city's departments, their local copies,
consumers with grants, and the materials shared data can stand in for. Idempotent.

Modules by subject:
- `common`: the class tree, `ResourceSpec` (one demo resource) and the shared data items;
- `personal_resources`, `enterprise_resources`: the resources about people and about enterprises;
- `population`, `enterprise_register`: the generated, fictional rows those registers hold;
- `consumers`: the consumers with their grants, and the material substitutes;
- `loading`: `RESOURCES` in creation order and the loader that makes it all through the service
  layer;
- `department`: the demo 民政 department system, run as its own process
  (`python -m tongban.exchange.demo.department`).
"""


def load(log) -> None:
    # Imported here, not above: `department` runs as its own process and imports this package
    # before Django is set up, so the package itself must not import models.
    from tongban.exchange.demo import loading

    loading.load(log)
