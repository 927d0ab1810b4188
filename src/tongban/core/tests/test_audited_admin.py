"""Reference data edited directly in the admin leaves an audit record for every add, change and
delete, inline rows included (core.admin.AuditedAdminMixin)."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tongban.accounts.models import User
from tongban.core.admin import AuditedAdminMixin
from tongban.core.models import AuditRecord, CalendarDay, Office

AUDITED = [
    "core.Region",
    "core.Department",
    "core.Office",
    "core.ServiceHall",
    "core.Window",
    "accounts.CitizenProfile",
    "accounts.EnterpriseProfile",
    "accounts.StaffProfile",
    "notify.MessageTemplate",
    "licences.LicenceType",
    "licences.Licence",
    "accounts.User",  # its inline rows; the account itself changes through accounts.actions
    "workflow.ItemProcess",
]


@pytest.fixture
def root(db):
    return User.objects.create_superuser("rootadmin", "Tongban2026")


def _records(action, object_type, object_id):
    return AuditRecord.objects.filter(
        action=action, object_type=object_type, object_id=str(object_id)
    )


def test_every_reference_data_admin_is_audited():
    plain = [
        label
        for label in AUDITED
        if not isinstance(admin.site._registry[apps.get_model(label)], AuditedAdminMixin)
    ]
    assert plain == []


def test_adding_changing_and_deleting_a_calendar_day_goes_through_the_service_layer(client, root):
    """The calendar admin saves through core.calendar_actions: each step is audited there."""
    client.force_login(root)
    day = datetime.date(2031, 10, 11)
    added = client.post(
        reverse("admin:core_calendarday_add"),
        {"date": "2031-10-11", "is_working_day": "on", "name": "国庆节调休上班"},
    )
    assert added.status_code == 302
    assert _records("core.calendar_day_set", "core.calendarday", day).count() == 1

    change_url = reverse("admin:core_calendarday_change", args=[day])
    assert client.post(change_url, {"name": "调休上班"}).status_code == 302
    assert _records("core.calendar_day_set", "core.calendarday", day).count() == 2
    assert not CalendarDay.objects.get(date=day).is_working_day

    delete_url = reverse("admin:core_calendarday_delete", args=[day])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not CalendarDay.objects.filter(date=day).exists()
    assert _records("core.calendar_day_removed", "core.calendarday", day).exists()


def test_inline_rows_of_a_department_are_audited(client, root, department):
    client.force_login(root)
    url = reverse("admin:core_department_change", args=[department.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value.pk if hasattr(value, "pk") else value
        for name, value in form.initial.items()
        if value not in (None, False)
    }
    data["is_active"] = "on" if department.is_active else ""
    data.update(
        {
            "offices-TOTAL_FORMS": "1",
            "offices-INITIAL_FORMS": "0",
            "offices-0-name": "行政审批科",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302
    office = Office.objects.get(department=department, name="行政审批科")
    assert _records("admin.add", "core.office", office.pk).exists()
