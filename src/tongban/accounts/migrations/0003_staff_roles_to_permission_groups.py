"""Existing staff join the permission group of each role they hold, and those whose roles have
admin work may enter the admin site. The groups' permissions are filled in after migrate
(accounts.apps), when every app's permissions exist."""

from django.db import migrations

# Frozen here: the roles that have admin work when this migration was written.
ADMIN_SITE_ROLES = {"platform_admin", "catalogue_admin"}


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    StaffRole = apps.get_model("accounts", "StaffRole")
    User = apps.get_model("accounts", "User")
    groups = {}
    for staff_role in StaffRole.objects.select_related("user"):
        role = staff_role.role
        if role not in groups:
            groups[role], _created = Group.objects.get_or_create(name=f"role:{role}")
        staff_role.user.groups.add(groups[role])
    admin_users = StaffRole.objects.filter(role__in=ADMIN_SITE_ROLES).values("user_id")
    User.objects.filter(pk__in=admin_users).update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
