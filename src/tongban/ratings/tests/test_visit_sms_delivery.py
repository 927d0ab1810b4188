"""The SMS to a hall visitor goes through notify's delivery log: recorded (phone masked), retried
when the gateway fails, never lost silently."""

import pytest
from django.utils import timezone

from tongban.core import plugins
from tongban.notify import actions as notify
from tongban.notify.models import Delivery
from tongban.notify.plugins import DeliveryError, SmsGateway
from tongban.ratings import actions

pytestmark = pytest.mark.django_db
PHONE = "17000000066"


class DownGateway(SmsGateway):
    label = "测试：网关不可用"

    def send_sms(self, phone, text, *, reference):
        raise DeliveryError("网关不可用")


@pytest.fixture
def gateway_down(settings):
    plugins.register("sms", "test-down")(DownGateway)
    settings.PLUGINS = {"sms": {"name": "test-down", "options": {}}}
    yield settings
    plugins.unregister("sms", "test-down")


def test_visit_sms_is_logged_as_a_delivery_with_the_phone_masked(
    hall_clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = actions.start_hall_visit(actor=hall_clerk, visitor_phone=PHONE)

    delivery = Delivery.objects.get(notification__template_code="ratings.visit_invitation")
    assert delivery.status == Delivery.Status.SENT and delivery.provider == "sms:log"
    assert delivery.to_phone_masked == "170****0066" and "回复1-5评价" in delivery.body
    assert delivery.notification.recipient is None
    assert delivery.notification.related_id == str(visit.pk)


def test_visit_sms_is_retried_when_the_gateway_fails(
    hall_clerk, gateway_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.start_hall_visit(actor=hall_clerk, visitor_phone=PHONE)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.next_attempt_at
    assert PHONE not in delivery.last_error

    gateway_down.PLUGINS = {"sms": {"name": "log"}}  # the gateway is back
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery.pk in notify.due_delivery_ids()
    assert notify.deliver(delivery.pk).status == Delivery.Status.SENT


def test_a_malformed_visitor_phone_is_refused_before_anything_is_sent(hall_clerk):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.start_hall_visit(actor=hall_clerk, visitor_phone="12345")
    assert not Delivery.objects.exists()
