from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_role_groups(sender, using="default", **kwargs):
    # post_migrate is sent once per app, after that app's permissions are created; the groups are
    # rewritten once, after the last app, when every permission exists.
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    from tongban.accounts.role_permissions import sync_role_groups

    sync_role_groups()


class AccountsConfig(AppConfig):
    name = "tongban.accounts"
    label = "accounts"
    verbose_name = "账户与角色"

    def ready(self):
        from tongban.accounts import signals  # noqa: F401

        post_migrate.connect(_sync_role_groups, dispatch_uid="accounts.sync_role_groups")
