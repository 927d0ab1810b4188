"""Staff roles carry the admin-site permissions their work needs: every admin link the platform shows
a role opens for that role, and granting or revoking a role moves those permissions."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongban.accounts import actions
from tongban.accounts import demo as accounts_demo
from tongban.accounts.models import StaffProfile, User
from tongban.accounts.role_permissions import group_name, sync_role_groups
from tongban.accounts.roles import Role
from tongban.core import demo as core_demo
from tongban.core import workdays
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db

ADMIN_HREF = re.compile(r'href="(/admin/[^"#?]*)"')


@pytest.fixture
def demo_staff():
    core_demo.load(lambda *_: None)
    accounts_demo.load(lambda *_: None)


@pytest.fixture
def unconfirmed_calendar(monkeypatch):
    """The dashboard shows its calendar warning (and link) only for a year without a schedule."""
    monkeypatch.setattr(
        workdays.Calendar, "unconfirmed_years", lambda self, years: [max(years)], raising=False
    )


def _admin_links(client, path) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return set(ADMIN_HREF.findall(response.content.decode()))


def _links_shown(client, user) -> set[str]:
    links = _admin_links(client, reverse("workbench:home"))
    if user.has_role(Role.CATALOGUE_ADMIN):
        links |= _admin_links(client, reverse("catalog_staff:items"))
    if reverse("admin:index") in links:
        # The admin index lists only what the account may open: each of those must open too.
        links |= _admin_links(client, reverse("admin:index"))
    return links - {reverse("admin:logout")}


@pytest.mark.parametrize("login_name", [row[0] for row in accounts_demo.STAFF])
def test_every_admin_link_shown_to_a_demo_role_opens(
    client, demo_staff, unconfirmed_calendar, login_name
):
    user = User.objects.get(login_name=login_name)
    client.force_login(user)

    links = _links_shown(client, user)

    broken = {link: client.get(link).status_code for link in links}
    assert {link: code for link, code in broken.items() if code != 200} == {}


def test_platform_admin_reaches_calendar_notify_seals_accounts_and_halls(
    client, demo_staff, unconfirmed_calendar
):
    client.force_login(User.objects.get(login_name="admin"))

    links = _links_shown(client, User.objects.get(login_name="admin"))

    for name in (
        "core_calendarday_changelist",
        "notify_delivery_changelist",
        "notify_messagetemplate_changelist",
        "seals_seal_changelist",
        "accounts_user_changelist",
        "core_servicehall_changelist",
        "core_window_changelist",
    ):
        assert reverse(f"admin:{name}") in links, name
    assert client.get(reverse("admin:core_calendarday_add")).status_code == 200
    home = client.get(reverse("workbench:home")).content.decode()
    assert "前往“工作日历调整”录入" in home


def test_catalogue_admin_reaches_the_catalogue_but_not_accounts(client, demo_staff):
    client.force_login(User.objects.get(login_name="catalog"))

    assert client.get(reverse("admin:catalog_itemversion_changelist")).status_code == 200
    assert client.get(reverse("admin:applications_applicationform_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(reverse("admin:core_calendarday_changelist")).status_code == 403


def test_clerk_and_handler_see_no_admin_and_are_refused_it(client, demo_staff):
    for login_name in ("clerk", "handler"):
        user = User.objects.get(login_name=login_name)
        client.force_login(user)
        assert not _links_shown(client, user)
        assert client.get(reverse("admin:index")).status_code == 302  # to the admin login


def test_granting_and_revoking_a_role_moves_its_admin_permissions(client, demo_staff):
    admin = User.objects.get(login_name="admin")
    handler = User.objects.get(login_name="handler")
    client.force_login(handler)

    actions.grant_role(actor=admin, user=handler, role=Role.PLATFORM_ADMIN)
    handler.refresh_from_db()
    assert handler.is_staff
    assert handler.has_perm("core.add_calendarday")
    assert client.get(reverse("admin:core_calendarday_changelist")).status_code == 200

    actions.revoke_role(actor=admin, user=handler, role=Role.PLATFORM_ADMIN)
    handler = User.objects.get(pk=handler.pk)
    assert not handler.is_staff
    assert not handler.has_perm("core.add_calendarday")
    assert client.get(reverse("admin:core_calendarday_changelist")).status_code == 302
    assert list(
        AuditRecord.objects.filter(object_id=str(handler.pk))
        .filter(action__in=["accounts.grant_role", "accounts.revoke_role"])
        .values_list("action", flat=True)
        .order_by("sequence")
    ) == ["accounts.grant_role", "accounts.revoke_role"]


def test_a_role_is_refused_twice_and_only_for_staff(demo_staff):
    admin = User.objects.get(login_name="admin")
    clerk = User.objects.get(login_name="clerk")
    citizen = User.objects.create_user(kind=User.Kind.CITIZEN, display_name="某某")

    with pytest.raises(ValidationError, match="已有"):
        actions.grant_role(actor=admin, user=clerk, role=Role.WINDOW_CLERK)
    with pytest.raises(ValidationError, match="有效角色"):
        actions.grant_role(actor=admin, user=clerk, role="superuser")
    with pytest.raises(ValidationError, match="工作人员"):
        actions.grant_role(actor=admin, user=citizen, role=Role.PLATFORM_ADMIN)
    with pytest.raises(ValidationError, match="没有此角色"):
        actions.revoke_role(actor=admin, user=clerk, role=Role.APPROVER)


def test_role_admin_grants_through_the_service_layer(client, demo_staff):
    admin = User.objects.get(login_name="admin")
    reviewer = User.objects.get(login_name="reviewer")
    client.force_login(admin)

    response = client.post(
        reverse("admin:accounts_staffrole_add"),
        {"user": reviewer.pk, "role": Role.CATALOGUE_ADMIN},
    )

    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.is_staff
    assert reviewer.groups.filter(name=group_name(Role.CATALOGUE_ADMIN)).exists()


def test_groups_follow_the_map_after_a_sync(demo_staff):
    group = Group.objects.get(name=group_name(Role.PLATFORM_ADMIN))
    group.permissions.clear()

    sync_role_groups()

    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_calendarday", "change_seal", "view_delivery", "change_window"} <= codenames
    assert "add_itemversion" not in codenames


def test_demo_window_clerks_sit_at_a_window(demo_staff):
    for login_name in ("clerk", "sjclerk"):
        profile = StaffProfile.objects.get(user__login_name=login_name)
        assert profile.hall is not None and profile.window is not None
        assert profile.department in profile.window.departments.all()


def test_a_window_of_another_hall_is_refused(demo_staff):
    from tongban.core.models import ServiceHall, Window

    clerk = User.objects.get(login_name="clerk")
    window = Window.objects.exclude(hall__name="许昌市政务服务中心").first()
    hall = ServiceHall.objects.get(name="许昌市政务服务中心")

    with pytest.raises(ValidationError, match="不在所选大厅"):
        actions.set_workplace(actor=None, user=clerk, hall=hall, window=window)
