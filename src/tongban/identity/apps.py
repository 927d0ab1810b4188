from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "tongban.identity"
    label = "identity"
    verbose_name = "统一身份认证"

    def ready(self):
        from tongban.identity import signals  # noqa: F401
