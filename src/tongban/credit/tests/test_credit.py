"""Credit records bar an identity, not an account, and only while they last."""

import datetime
from types import SimpleNamespace

import pytest

from tongban.core import pii
from tongban.credit import actions
from tongban.credit.models import CreditRecord

pytestmark = pytest.mark.django_db


def _record(department, subject, ends_on):
    return CreditRecord.objects.create(
        kind=CreditRecord.Kind.FALSE_COMMITMENT,
        subject_name=subject.name,
        subject_id_type=subject.id_type,
        subject_id_number=subject.id_number,
        subject_id_index=subject.index,
        reason="承诺不实",
        department=department,
        ends_on=ends_on,
    )


def _draft(**fields):
    defaults = {
        "enterprise_id": None,
        "enterprise": None,
        "applicant_id_number": "",
        "applicant_id_type": "",
        "applicant_name": "",
        "data": {},
    }
    return SimpleNamespace(**{**defaults, **fields})


def test_the_subject_is_the_enterprise_or_the_person_applied_for(enterprise, citizen):
    company = enterprise.enterprise
    assert actions.subject_of(_draft(enterprise_id=company.pk, enterprise=company)) == (
        actions.Subject(company.name, "001", company.uscc)
    )
    # An entrusted draft: the person named in the form, not the account typing it.
    typed = _draft(
        data={"applicant_name": "示例老人", "applicant_id_number": citizen.citizen.id_number}
    )
    assert actions.subject_of(typed).index == pii.blind_index(
        citizen.citizen.id_number, "citizen_id"
    )
    assert actions.subject_of(_draft()) is None


def test_a_record_bars_until_its_end_date_whoever_applies(department, citizen):
    subject = actions.Subject("示例老人", "111", citizen.citizen.id_number)
    record = _record(department, subject, datetime.date(2026, 12, 31))
    same_person = actions.Subject("示例老人", "111", citizen.citizen.id_number.lower())
    assert actions.exclusion(same_person, datetime.date(2026, 12, 31)) == record
    assert actions.exclusion(same_person, datetime.date(2027, 1, 1)) is None
    other = actions.Subject("示例经办", "111", "11010519491231002X")
    assert actions.exclusion(other, datetime.date(2026, 12, 1)) is None
    assert "虚假承诺" in actions.exclusion_message(record)
    assert record.masked_id_number.startswith(citizen.citizen.id_number[:6])
    assert citizen.citizen.id_number not in str(record)
