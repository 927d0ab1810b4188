"""Which Django model permissions each staff role carries into the admin site.

Pages check roles (accounts.permissions); the admin site checks Django model permissions. Each role
is a permission group named after it ("role:platform_admin"), holding the permissions below; a
staff member belongs to the groups of the roles they hold, and may enter the admin site
(`is_staff`) when one of those roles has admin work. accounts.actions keeps group membership and
`is_staff` in step whenever a role is granted or revoked; `sync_role_groups` rewrites the groups'
permissions from this map after every migrate (so a model added later is covered at once).
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from tongban.accounts.roles import Role

ALL = "__all__"  # every model of the app, every action

# role → {app label: ALL | {model name: ALL | (actions …)}}
ROLE_PERMISSIONS: dict[str, dict] = {
    Role.PLATFORM_ADMIN: {
        # Regions, departments, halls and windows, the working-day calendar, the audit log.
        "core": ALL,
        # Staff accounts, roles, their halls and windows.
        "accounts": ALL,
        # Message templates and the delivery log.
        "notify": ALL,
        # Department systems connected for single sign-on, signing keys, login records.
        "identity": ALL,
        # Department seals and the platform CA.
        "seals": ALL,
        # 材料识别: recognitions and the corrections people made (read-only ledgers).
        "ocr": ALL,
        # The second-wave domains' reference data and ledgers (most of their admins are read-only:
        # changes go through their staff pages and service layers).
        "exchange": ALL,
        "rules": ALL,
        "policies": ALL,
        "workorders": ALL,
        "hall": ALL,
    },
    Role.CATALOGUE_ADMIN: {
        "catalog": ALL,
        # The form an item's applicants fill in and the review process it runs.
        "applications": {"applicationform": ALL},
        "workflow": {"processdefinition": ALL, "itemprocess": ALL},
        # 一件事 bundle types (read-only in the admin; edited on the staff pages).
        "bundles": {"bundleversion": ("view",), "bundleapplication": ("view",)},
    },
}

ADMIN_SITE_ROLES = frozenset(ROLE_PERMISSIONS)


def group_name(role: str) -> str:
    return f"role:{role}"


def _permission_filter(role: str) -> Q | None:
    wanted = None
    for app_label, models in ROLE_PERMISSIONS.get(role, {}).items():
        if models == ALL:
            clauses = [Q(content_type__app_label=app_label)]
        else:
            clauses = [
                _model_clause(app_label, model, actions) for model, actions in models.items()
            ]
        for clause in clauses:
            wanted = clause if wanted is None else wanted | clause
    return wanted


def _model_clause(app_label: str, model: str, actions) -> Q:
    clause = Q(content_type__app_label=app_label, content_type__model=model)
    if actions != ALL:
        clause &= Q(codename__in=[f"{action}_{model}" for action in actions])
    return clause


def permissions_for(role: str):
    wanted = _permission_filter(role)
    if wanted is None:
        return Permission.objects.none()
    return Permission.objects.filter(wanted)


def sync_role_groups() -> None:
    """One group per role, holding exactly the permissions the map gives it."""
    for role in Role.values:
        group, _created = Group.objects.get_or_create(name=group_name(role))
        group.permissions.set(permissions_for(role))


def role_groups(roles) -> list[Group]:
    names = [group_name(role) for role in roles]
    groups = list(Group.objects.filter(name__in=names))
    if len(groups) < len(set(names)):  # a fresh database before the first sync
        sync_role_groups()
        groups = list(Group.objects.filter(name__in=names))
    return groups


def needs_admin_site(roles) -> bool:
    return bool(ADMIN_SITE_ROLES & set(roles))
