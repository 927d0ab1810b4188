from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tongban.accounts"
    label = "accounts"
    verbose_name = "账户与角色"

    def ready(self):
        from tongban.accounts import signals  # noqa: F401
