"""Staff roles. Permissions are checked by role *and* department (see accounts.permissions)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("窗口受理")
    HANDLER = "handler", _("承办")
    REVIEWER = "reviewer", _("审核")
    APPROVER = "approver", _("批准")
    SUPERVISOR = "supervisor", _("效能监察")
    LEADER = "leader", _("领导")
    CATALOGUE_ADMIN = "catalogue_admin", _("事项管理")
    PLATFORM_ADMIN = "platform_admin", _("平台管理")
    DISPATCHER = "dispatcher", _("12345派单")
    HOTLINE_OPERATOR = "hotline_operator", _("12345话务")
    GRID_WORKER = "grid_worker", _("网格员")
    CITY_PATROLLER = "city_patroller", _("数字城管监督员")
