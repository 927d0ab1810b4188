"""The accounts admin changes accounts through the service layer: audited, sessions ended."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tongban.accounts.models import User
from tongban.accounts.sessions import live_sessions
from tongban.core.models import AuditRecord


@pytest.fixture
def root(db):
    return User.objects.create_superuser("rootadmin", "Tongban2026")


def _signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    assert browser.get(reverse("accounts:profile")).status_code == 200
    return browser


def _sessions_of(user) -> list[str]:
    """In the session store in use (the database, or Redis with TONGBAN_REDIS_URL)."""
    return [key for key, data in live_sessions() if data.get(SESSION_KEY) == str(user.pk)]


def _audited(action: str, user: User, actor: User) -> bool:
    return AuditRecord.objects.filter(action=action, object_id=str(user.pk), actor=actor).exists()


def test_deactivating_selected_accounts_is_audited_and_ends_their_sessions(
    client, root, citizen, second_citizen, django_capture_on_commit_callbacks
):
    browser = _signed_in(citizen)
    other = _signed_in(second_citizen)
    client.force_login(root)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "deactivate", "_selected_action": [citizen.pk]},
        )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert not citizen.is_active
    assert _audited("accounts.deactivate", citizen, root)
    assert _sessions_of(citizen) == []  # ended in the store, not only refused
    assert len(_sessions_of(second_citizen)) == 1  # others stay signed in
    assert other.get(reverse("accounts:profile")).status_code == 200

    # Switched on again, the account must log in anew: the old session does not come back.
    User.objects.filter(pk=citizen.pk).update(is_active=True)
    assert browser.get(reverse("accounts:profile")).status_code == 302


def test_switching_is_active_off_on_the_user_page_is_a_deactivation(
    client, root, citizen, django_capture_on_commit_callbacks
):
    _signed_in(citizen)
    client.force_login(root)
    url = reverse("admin:accounts_user_change", args=[citizen.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: form.initial[name]
        for name in form.fields
        if form.initial.get(name) not in (None, False)
    }
    data.pop("is_active")
    data["display_name"] = "示例老人（已停用）"
    for prefix in ("staff_profile", "staff_roles"):  # the inlines, empty for a citizen
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert not citizen.is_active
    assert citizen.display_name == "示例老人（已停用）"
    record = AuditRecord.objects.get(action="accounts.update", object_id=str(citizen.pk))
    assert record.detail == {"fields": ["display_name", "is_active"]}
    assert _audited("accounts.deactivate", citizen, root)
    assert _sessions_of(citizen) == []
