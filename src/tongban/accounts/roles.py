"""Staff roles. Permissions are checked by role *and* department (see accounts.permissions)."""

from django.db import models


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", "窗口受理"
    HANDLER = "handler", "承办"
    REVIEWER = "reviewer", "审核"
    APPROVER = "approver", "批准"
    SUPERVISOR = "supervisor", "效能监察"
    CATALOGUE_ADMIN = "catalogue_admin", "事项管理"
    PLATFORM_ADMIN = "platform_admin", "平台管理"
