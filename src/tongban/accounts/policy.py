"""Who may do what with accounts, decided in one place.

Each `can_*` answers yes or no (the admin uses it to choose what to offer); the service layer
refuses through `require_*`, which raises PermissionDenied with the reason. actor None is the
platform itself: the demo loader, migrations, management commands.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from tongban.accounts.roles import Role

# Staff who may see a person's full personal data while serving them.
SERVING_ROLES = (Role.WINDOW_CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER)


def is_administrator(actor) -> bool:
    """A platform administrator (or the site's superuser), or the platform itself."""
    if actor is None:
        return True
    return bool(
        actor.is_authenticated and (actor.is_superuser or actor.has_role(Role.PLATFORM_ADMIN))
    )


def can_manage_staff(actor) -> bool:
    """Creating staff accounts and granting their roles: a platform administrator."""
    return is_administrator(actor)


def can_grant_role(actor, user, role: str) -> bool:
    return can_manage_staff(actor)


def can_revoke_role(actor, user, role: str) -> bool:
    """An administrator may take away any role but their own administration: another
    administrator does that, so the platform is never left without one by a slip."""
    if not can_manage_staff(actor):
        return False
    return not (actor is not None and actor.pk == user.pk and role == Role.PLATFORM_ADMIN)


def can_deactivate(actor, user) -> bool:
    """停用 an account: an administrator, never their own account (they would lock themselves out)."""
    if not is_administrator(actor):
        return False
    return actor is None or actor.pk != user.pk


def can_see_personal_data(actor, subject) -> bool:
    """The full value of someone's protected field: the person themself, or staff serving them."""
    if actor is None or not actor.is_authenticated:
        return False
    return actor.pk == subject.pk or actor.has_role(*SERVING_ROLES)


def require_staff_manager(actor) -> None:
    if not can_manage_staff(actor):
        raise PermissionDenied(gettext("只有平台管理员可以管理工作人员账户和角色"))


def require_grant(actor, user, role: str) -> None:
    if not can_grant_role(actor, user, role):
        raise PermissionDenied(gettext("只有平台管理员可以管理工作人员账户和角色"))


def require_revoke(actor, user, role: str) -> None:
    if not can_revoke_role(actor, user, role):
        if can_manage_staff(actor):
            raise PermissionDenied(gettext("不能撤销自己的平台管理员角色，请由其他管理员操作"))
        raise PermissionDenied(gettext("只有平台管理员可以管理工作人员账户和角色"))


def require_deactivate(actor, user) -> None:
    if not can_deactivate(actor, user):
        if is_administrator(actor):
            raise PermissionDenied(gettext("不能停用自己的账户"))
        raise PermissionDenied(gettext("只有平台管理员可以停用账户"))


def require_personal_data(actor, subject) -> None:
    if not can_see_personal_data(actor, subject):
        raise PermissionDenied(gettext("您无权查看他人的完整个人信息"))
