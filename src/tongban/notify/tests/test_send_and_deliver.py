import datetime
import logging

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.core import plugins
from tongban.core.models import AuditRecord
from tongban.notify import actions, tasks
from tongban.notify.models import Delivery, InboxMessage, Notification, SmsOutbox
from tongban.notify.plugins import DeliveryError, SmsGateway

Status = Delivery.Status
CONTEXT = {"item_name": "高龄津贴申领", "case_number": "TB-0001", "due_date": "2026年12月1日"}


def _send(user, code="application.accepted", **kwargs):
    return actions.send(user, code, CONTEXT, **kwargs)


def _make_due(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


# --- send ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_send_creates_one_delivery_per_channel_and_delivers_after_commit(
    citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = _send(citizen, link="/cases/1/")

    deliveries = {d.channel: d for d in notification.deliveries.all()}
    assert set(deliveries) == {"sms", "inapp", "email"}
    # Only SMS goes through a worker; in-app is written at once.
    assert sum(callback.func is actions._enqueue for callback in callbacks) == 1
    sms = deliveries["sms"]
    assert sms.status == Status.SENT and sms.attempts == 1 and sms.provider == "sms:log"
    outbox = SmsOutbox.objects.get()
    assert outbox.phone == citizen.phone and outbox.masked_phone == citizen.masked_phone
    assert "高龄津贴申领" in outbox.text and "示**" in outbox.text
    assert len(outbox.text) <= 70
    assert deliveries["inapp"].status == Status.SENT
    inbox = InboxMessage.objects.get(recipient=citizen)
    assert inbox.title == "已受理：高龄津贴申领" and inbox.link == "/cases/1/"
    # No e-mail address registered: recorded as skipped with a reason, not an error.
    assert deliveries["email"].status == Status.SKIPPED
    assert "未登记电子邮箱" in deliveries["email"].last_error
    assert mail.outbox == []
    assert notification.subject == "已受理：高龄津贴申领"


@pytest.mark.django_db
def test_send_writes_each_row_once(citizen, django_assert_num_queries):
    """Inside the caller's transaction: the templates read, then one insert for the
    notification, one for its three deliveries together and one for the inbox message. No
    savepoints, no read-back of the inbox message just created, no second write of the in-app
    delivery (every submission and every case step sends one, docs/sizing.md)."""
    with transaction.atomic(), django_assert_num_queries(4):
        notification = _send(citizen, link="/cases/1/")
    inapp = notification.deliveries.get(channel="inapp")
    assert inapp.status == Status.SENT and inapp.provider == "inbox" and inapp.sent_at
    assert InboxMessage.objects.get(delivery=inapp).title == "已受理：高龄津贴申领"


@pytest.mark.django_db
def test_send_only_the_requested_channels_and_related_object(citizen, department):
    notification = _send(citizen, channels=["inapp"], related=department)
    assert [d.channel for d in notification.deliveries.all()] == ["inapp"]
    assert notification.related_type == "core.department"
    assert notification.related_id == str(department.pk)


@pytest.mark.django_db
def test_email_is_sent_with_an_escaped_html_part(citizen, django_capture_on_commit_callbacks):
    citizen.email = "laoren@example.cn"
    citizen.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        actions.send(
            citizen,
            "application.accepted",
            {**CONTEXT, "item_name": "<b>津贴</b>"},
            channels=["email"],
            link="/cases/1/",
        )
    (message,) = mail.outbox
    assert message.to == ["laoren@example.cn"]
    assert message.subject.endswith("已受理：<b>津贴</b>")  # subjects are plain text
    assert "“<b>津贴</b>”" in message.body  # the text part is plain text
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "&lt;b&gt;津贴&lt;/b&gt;" in html and "<b>津贴" not in html
    assert "http://127.0.0.1:8000/cases/1/" in message.body
    delivery = Delivery.objects.get(channel="email")
    assert (
        delivery.status == Status.SENT
        and delivery.provider_message_id == message.extra_headers["Message-ID"]
    )


@pytest.mark.django_db
def test_nothing_is_sent_when_the_outer_transaction_rolls_back(
    citizen, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _send(citizen)
        raise RuntimeError("业务处理失败")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert not InboxMessage.objects.exists()
    assert not SmsOutbox.objects.exists()


@pytest.mark.django_db
def test_unknown_template_code_raises_a_clear_error(citizen):
    with pytest.raises(actions.TemplateNotFound, match=r"no\.such\.code"):
        actions.send(citizen, "no.such.code", {})
    with pytest.raises(actions.TemplateNotFound, match="email"):
        actions.send(citizen, "case.overdue", {}, channels=["email"])
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_only_site_relative_links_are_accepted(citizen):
    with pytest.raises(ValueError, match="站内路径"):
        _send(citizen, link="javascript:alert(1)")
    with pytest.raises(ValueError):
        _send(citizen, link="//evil.example/")


@pytest.mark.django_db
def test_rendering_escapes_html_for_inapp_but_not_for_sms(citizen):
    nasty = '<script>alert("x")</script>'
    notification = actions.send(citizen, "application.accepted", {**CONTEXT, "item_name": nasty})
    inapp = notification.deliveries.get(channel="inapp")
    sms = notification.deliveries.get(channel="sms")
    assert "&lt;script&gt;" in inapp.body and "<script>" not in inapp.body
    assert "<script>" in sms.body  # SMS is plain text: escaping would garble it
    assert InboxMessage.objects.get().title == f"已受理：{nasty}"  # escaped by the page instead


@pytest.mark.django_db
def test_recipient_name_is_always_the_masked_name(citizen):
    notification = actions.send(
        citizen, "application.accepted", {**CONTEXT, "recipient_name": "示例老人"}
    )
    assert "示例老人" not in notification.deliveries.get(channel="sms").body


# --- the log plugin --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_sms_log_plugin_never_logs_the_full_phone(citizen, caplog):
    notification = _send(citizen, channels=["sms"])
    with caplog.at_level(logging.DEBUG):
        actions.deliver(notification.deliveries.get().pk)
    assert citizen.masked_phone in caplog.text
    assert citizen.phone not in caplog.text
    assert SmsOutbox.objects.get().masked_phone == citizen.masked_phone


# --- idempotency and the sweeper ----------------------------------------------------------------
@pytest.mark.django_db
def test_running_deliver_twice_sends_once(citizen):
    delivery = _send(citizen, channels=["sms"]).deliveries.get()  # on_commit hooks not run
    first = actions.deliver(delivery.pk)
    second = actions.deliver(delivery.pk)
    assert first.status == second.status == Status.SENT
    assert SmsOutbox.objects.count() == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert actions.deliver(999999) is None


@pytest.mark.django_db
def test_sweeper_picks_up_a_delivery_whose_task_never_ran(citizen):
    delivery = _send(citizen, channels=["sms"]).deliveries.get()  # worker "died": no task ran
    assert tasks.retry_due_deliveries() == 0  # within the grace period the task may still come
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - actions.PICKUP_GRACE - datetime.timedelta(seconds=1)
    )
    assert tasks.retry_due_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert SmsOutbox.objects.count() == 1
    assert tasks.retry_due_deliveries() == 0


@pytest.mark.django_db
def test_sweeper_retakes_a_claim_whose_worker_died_mid_send(citizen):
    delivery = _send(citizen, channels=["sms"]).deliveries.get()
    claimed = actions._claim(delivery.pk)  # the worker claimed it, then was killed
    assert claimed.status == Status.SENDING
    assert actions.deliver(delivery.pk).status == Status.SENDING  # lease still held: hands off
    assert SmsOutbox.objects.count() == 0
    _make_due(delivery)  # the lease expires
    assert tasks.retry_due_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 2
    assert SmsOutbox.objects.count() == 1


# --- failures, retries, give-up, resend ----------------------------------------------------------
class FailingSms(SmsGateway):
    label = "测试：总是失败"
    calls = 0

    def send_sms(self, phone, text, *, reference):
        type(self).calls += 1
        raise DeliveryError(f"网关超时（{phone}）")


class RefusingSms(SmsGateway):
    label = "测试：号码无效"

    def send_sms(self, phone, text, *, reference):
        raise DeliveryError("号码无效", permanent=True)


@pytest.fixture
def failing_sms(settings):
    plugins.register("sms", "test-failing")(FailingSms)
    plugins.register("sms", "test-refusing")(RefusingSms)
    FailingSms.calls = 0
    settings.PLUGINS = {"sms": {"name": "test-failing", "options": {}}}
    settings.NOTIFY_RETRY_MINUTES = [1, 5, 30]
    settings.NOTIFY_MAX_ATTEMPTS = 5
    yield settings
    plugins.unregister("sms", "test-failing")
    plugins.unregister("sms", "test-refusing")


@pytest.mark.django_db
def test_failing_gateway_is_retried_with_growing_delays_then_given_up(citizen, failing_sms):
    delivery = _send(citizen, channels=["sms"]).deliveries.get()
    delays = []
    for attempt in range(1, 5):
        before = timezone.now()
        result = actions.deliver(delivery.pk)
        assert result.status == Status.FAILED and result.attempts == attempt
        assert "网关超时" in result.last_error
        assert citizen.phone not in result.last_error  # errors are stored redacted
        delays.append((result.next_attempt_at - before).total_seconds() / 60)
        # Not due yet: another call does nothing.
        assert actions.deliver(delivery.pk).attempts == attempt
        _make_due(delivery)
    assert [round(d) for d in delays] == [1, 5, 30, 30]

    result = actions.deliver(delivery.pk)
    assert result.status == Status.GIVEN_UP and result.attempts == 5
    assert result.next_attempt_at is None
    assert FailingSms.calls == 5
    assert actions.deliver(delivery.pk).attempts == 5  # given up stays given up
    audit = AuditRecord.objects.get(action="notify.given_up")
    assert audit.object_id == str(delivery.pk) and audit.detail["attempts"] == 5
    assert delivery.pk not in actions.due_delivery_ids()


@pytest.mark.django_db
def test_permanent_error_gives_up_at_once(citizen, failing_sms):
    failing_sms.PLUGINS = {"sms": {"name": "test-refusing"}}
    delivery = _send(citizen, channels=["sms"]).deliveries.get()
    result = actions.deliver(delivery.pk)
    assert result.status == Status.GIVEN_UP and result.attempts == 1


@pytest.mark.django_db
def test_misconfigured_gateway_fails_and_retries(citizen, settings):
    settings.PLUGINS = {"sms": {"name": "no-such-gateway"}}
    delivery = _send(citizen, channels=["sms"]).deliveries.get()
    result = actions.deliver(delivery.pk)
    assert result.status == Status.FAILED and "no-such-gateway" in result.last_error


@pytest.mark.django_db
def test_resend_after_give_up_creates_an_audited_new_delivery(
    citizen, platform_admin, failing_sms, django_capture_on_commit_callbacks
):
    failing_sms.PLUGINS = {"sms": {"name": "test-refusing"}}
    delivery = _send(citizen, channels=["sms"]).deliveries.get()
    actions.deliver(delivery.pk)
    failing_sms.PLUGINS = {"sms": {"name": "log"}}  # the gateway is fixed

    with django_capture_on_commit_callbacks(execute=True):
        copy = actions.resend(delivery.pk, actor=platform_admin)
    copy.refresh_from_db()
    assert copy.status == Status.SENT and copy.resent_from_id == delivery.pk
    assert copy.body == delivery.body
    assert SmsOutbox.objects.count() == 1
    assert AuditRecord.objects.filter(action="notify.resend", actor=platform_admin).exists()
    delivery.refresh_from_db()
    assert delivery.status == Status.GIVEN_UP  # the original keeps its history


@pytest.mark.django_db
def test_resend_refuses_deliveries_still_in_flight_or_inbox_messages(citizen):
    notification = _send(citizen, channels=["sms", "inapp"])
    with pytest.raises(ValidationError, match="正在发送中"):
        actions.resend(notification.deliveries.get(channel="sms").pk)
    with pytest.raises(ValidationError, match="消息中心"):
        actions.resend(notification.deliveries.get(channel="inapp").pk)


@pytest.mark.django_db
def test_user_without_phone_skips_sms(staff_clerk):
    notification = actions.send(
        staff_clerk, "case.overdue", {"item_name": "高龄津贴申领", "due_date": "昨天"}
    )
    sms = notification.deliveries.get(channel="sms")
    assert sms.status == Status.SKIPPED and "手机号码" in sms.last_error
    assert notification.deliveries.get(channel="inapp").status == Status.SENT
    assert sms.pk not in actions.due_delivery_ids()


@pytest.mark.django_db
def test_claim_left_by_a_dead_worker_on_the_last_attempt_is_given_up(citizen, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    delivery = _send(citizen, channels=["sms"]).deliveries.get()
    actions._claim(delivery.pk)  # the only allowed attempt; its worker dies
    _make_due(delivery)
    result = actions.deliver(delivery.pk)
    assert result.status == Status.GIVEN_UP and "中断" in result.last_error
    assert SmsOutbox.objects.count() == 0
    assert AuditRecord.objects.filter(action="notify.given_up").count() == 1


@pytest.mark.django_db
def test_broker_outage_at_commit_does_not_break_the_caller(
    citizen, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.deliver, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = _send(citizen, channels=["sms"]).deliveries.get()
    assert "sweeper will retry" in caplog.text
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING  # left for retry_due_deliveries
