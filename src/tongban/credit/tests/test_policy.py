"""credit.policy: a false commitment is recorded by an approver of the item's department (or the
platform's own jobs), and a subject with a record in force may no longer commit instead of proving."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from tongban.credit import actions, policy
from tongban.credit.models import CreditRecord
from tongban.testing.builders import submit_application
from tongban.testing.clock import at
from tongban.testing.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(citizen, promise_item):
    with at(datetime.date(2026, 10, 8)):
        return submit_application(citizen, promise_item)


def test_only_an_approver_of_the_department_records_a_false_commitment(
    application, team, other_department
):
    stranger = staff(other_department, "approver9", "approver")
    assert policy.can_record_false_commitment(None, application)
    assert policy.can_record_false_commitment(team["approver"], application)
    assert not policy.can_record_false_commitment(team["handler"], application)
    assert not policy.can_record_false_commitment(stranger, application)

    for refused in (team["handler"], stranger):
        with pytest.raises(PermissionDenied, match="批准人"):
            actions.record_false_commitment(
                application=application, actor=refused, reason="承诺不实"
            )
    assert not CreditRecord.objects.exists()

    actions.record_false_commitment(
        application=application, actor=team["approver"], reason="承诺不实"
    )
    assert CreditRecord.objects.count() == 1


def test_a_record_in_force_bars_the_commitment_system(application, team):
    subject = actions.subject_of(application)
    assert policy.can_use_commitment(subject)
    assert policy.can_use_commitment(None)  # nobody named yet: nothing to bar
    with at(datetime.date(2026, 10, 9)):
        record = actions.record_false_commitment(
            application=application, actor=team["approver"], reason="承诺不实"
        )
    assert not policy.can_use_commitment(subject, datetime.date(2026, 10, 9))
    assert policy.can_use_commitment(subject, record.ends_on + datetime.timedelta(days=1))
