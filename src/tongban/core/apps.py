from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = "基础数据"

    def ready(self):
        from tongban.core import plugins, signals  # noqa: F401  (registers receivers and checks)
