import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongban.accounts.models import User
from tongban.notify import actions, seed
from tongban.notify.models import Delivery, InboxMessage, MessageTemplate, SmsOutbox

Status = Delivery.Status
SAMPLE = {
    "item_name": "公共场所卫生许可",
    "case_number": "TB-2026-0001",
    "due_date": "2026年12月31日",
    "expiry_date": "2027年1月15日",
    "licence_name": "公共场所卫生许可证",
    "days_left": 2,
    "department": "许昌市卫生健康委员会",
    "reason": "营业执照复印件不清晰",
    "result": "准予许可",
}


@pytest.mark.django_db
def test_every_shipped_template_is_loaded_and_renders(citizen):
    codes = {code for code, _, _ in seed.default_templates()}
    assert len(codes) == len(seed.default_templates())  # one declaration per code
    assert set(MessageTemplate.objects.values_list("code", flat=True)) == codes
    assert seed.load(MessageTemplate) == 0  # idempotent, never overwrites edits
    for template in MessageTemplate.objects.all():
        template.full_clean()
        subject, body = actions.render(template, {**SAMPLE, "recipient_name": "示**"})
        assert body and "{{" not in body
        if template.channel == "sms":
            assert len(body) <= 70, (template.code, len(body), body)
            assert "TB-2026" not in body and "营业执照" not in body  # details stay behind login
        else:
            assert subject


@pytest.mark.django_db
def test_template_with_bad_syntax_is_rejected_in_clean():
    template = MessageTemplate(code="x.y", channel="sms", name="坏模板", body="{% if %}")
    with pytest.raises(ValidationError, match="模板语法错误"):
        template.full_clean()


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "Tongban2026")


@pytest.mark.django_db
def test_admin_pages_and_resend_action(
    client, superuser, citizen, settings, django_capture_on_commit_callbacks
):
    settings.PLUGINS = {"sms": {"name": "broken"}}
    notification = actions.send(citizen, "application.accepted", SAMPLE)
    sms = notification.deliveries.get(channel="sms")
    settings.NOTIFY_MAX_ATTEMPTS = 1
    assert actions.deliver(sms.pk).status == Status.GIVEN_UP
    settings.PLUGINS = {"sms": {"name": "log"}}
    client.force_login(superuser)

    for model in ("messagetemplate", "notification", "delivery", "inboxmessage", "smsoutbox"):
        assert client.get(reverse(f"admin:notify_{model}_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:notify_notification_change", args=[notification.pk])).status_code
        == 200
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notify_delivery_changelist"),
            {"action": "resend_deliveries", "_selected_action": [sms.pk]},
            follow=True,
        )
    assert "已重新发送 1 条" in response.content.decode()
    copy = Delivery.objects.get(resent_from=sms)
    assert copy.status == Status.SENT
    outbox_page = client.get(reverse("admin:notify_smsoutbox_changelist")).content.decode()
    assert citizen.masked_phone in outbox_page and citizen.phone not in outbox_page
    assert SmsOutbox.objects.count() == 1 and InboxMessage.objects.count() == 1


def test_each_domain_declares_its_own_templates():
    """application.* in applications, case.* in cases …: the texts live with the domain."""
    owner = {
        "application": "applications",
        "case": "cases",
        "licence": "licences",
        "hall": "hall",
        "rating": "ratings",
        "bundle": "bundles",
        "policy": "policies",
    }
    from importlib import import_module

    for prefix, app in owner.items():
        declared = import_module(f"tongban.{app}.message_templates").MESSAGE_TEMPLATES
        assert declared and all(code.startswith(f"{prefix}.") for code, _, _ in declared)
