"""Who may do what with notifications (notify.policy): only platform administrators send a
delivery again; a person reads only their own inbox."""

import pytest
from django.core.exceptions import PermissionDenied

from tongban.notify import actions, policy
from tongban.notify.models import Delivery, InboxMessage

CONTEXT = {"item_name": "高龄津贴申领", "case_number": "TB-0001", "due_date": "2026年12月1日"}


@pytest.mark.django_db
def test_a_citizen_or_clerk_may_not_resend(citizen, staff_clerk, platform_admin):
    notification = actions.send(citizen, "application.accepted", CONTEXT, channels=["sms"])
    delivery = notification.deliveries.get()
    for outsider in (citizen, staff_clerk):
        assert not policy.can_resend(outsider)
        with pytest.raises(PermissionDenied, match="只有平台管理员可以重新发送消息"):
            actions.resend(delivery.pk, actor=outsider)
    assert Delivery.objects.filter(resent_from=delivery).count() == 0
    assert policy.can_resend(platform_admin)


@pytest.mark.django_db
def test_a_person_reads_only_their_own_messages(citizen, second_citizen):
    actions.send(citizen, "application.accepted", CONTEXT, channels=["inapp"])
    message = InboxMessage.objects.get(recipient=citizen)
    assert policy.can_read(citizen, message)
    assert not policy.can_read(second_citizen, message)
    with pytest.raises(InboxMessage.DoesNotExist):
        actions.mark_read(second_citizen, message.pk)
    message.refresh_from_db()
    assert message.read_at is None
