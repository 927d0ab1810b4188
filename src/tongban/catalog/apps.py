from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tongban.catalog"
    label = "catalog"
    verbose_name = "事项管理与办事指南"

    def ready(self):
        from tongban.accounts import authorisable
        from tongban.catalog import signals  # noqa: F401  (registers receivers)
        from tongban.catalog.authorisable import items_for_enterprises

        authorisable.register(items_for_enterprises)
