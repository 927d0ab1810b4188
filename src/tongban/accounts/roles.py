"""Staff roles. Permissions are checked by role *and* department (see accounts.permissions)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("窗口受理")
    HANDLER = "handler", _("承办")
    REVIEWER = "reviewer", _("审核")
    APPROVER = "approver", _("批准")
    SUPERVISOR = "supervisor", _("效能监察")
    CATALOGUE_ADMIN = "catalogue_admin", _("事项管理")
    PLATFORM_ADMIN = "platform_admin", _("平台管理")
