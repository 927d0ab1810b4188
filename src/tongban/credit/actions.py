"""Credit service layer: who is excluded from 告知承诺 and 容缺受理, and recording a false
commitment (国办发〔2020〕42号: 虚假承诺 → credit record; applicants with serious bad credit or an
earlier false commitment may not use the commitment system)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.identifiers import IdType
from tongban.credit import policy
from tongban.credit.audit_actions import AuditAction
from tongban.credit.models import CreditRecord


@dataclass(frozen=True)
class Subject:
    """Whom an application is about: the enterprise, the entrusting person, or the citizen."""

    name: str
    id_type: str
    id_number: str

    @property
    def index(self) -> str:
        return CreditRecord.index_for(self.id_type, self.id_number)


def subject_of(application) -> Subject | None:
    if application.enterprise_id:
        enterprise = application.enterprise
        return Subject(enterprise.name, IdType.USCC, enterprise.uscc)
    if application.applicant_id_number:  # recorded at submission
        return Subject(
            application.applicant_name,
            application.applicant_id_type or IdType.CITIZEN_ID,
            application.applicant_id_number,
        )
    data = application.data or {}
    if data.get("applicant_id_number"):  # a draft: as typed or prefilled
        return Subject(
            data.get("applicant_name") or "", IdType.CITIZEN_ID, data["applicant_id_number"]
        )
    return None


def exclusion(subject: Subject | None, today: datetime.date | None = None) -> CreditRecord | None:
    """The record that bars this subject from committing instead of proving, if any."""
    if subject is None:
        return None
    today = today or timezone.localdate()
    return (
        CreditRecord.objects.filter(subject_id_index=subject.index, ends_on__gte=today)
        .order_by("-recorded_at")
        .first()
    )


def exclusion_message(record: CreditRecord) -> str:
    return (
        f"申请人存在{record.get_kind_display()}记录（{record.ends_on:%Y-%m-%d}前有效），"
        "依规不适用告知承诺和容缺受理，请上传全部材料。"
    )


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def record_false_commitment(*, application, actor, reason: str) -> CreditRecord:
    policy.require_recorder(actor, application)
    subject = subject_of(application)
    years = settings.CREDIT_FALSE_COMMITMENT_YEARS
    today = timezone.localdate()
    record = CreditRecord(
        kind=CreditRecord.Kind.FALSE_COMMITMENT,
        subject_name=subject.name,
        subject_id_type=subject.id_type,
        subject_id_number=subject.id_number,
        subject_id_index=subject.index,
        reason=reason[:500],
        department=application.service_item.department,
        application=application,
        recorded_by=actor,
        ends_on=_years_after(today, years),
    )
    record.save()
    audit.record(
        AuditAction.FALSE_COMMITMENT,
        actor=actor,
        obj=application,
        detail={"record": record.pk, "ends_on": record.ends_on.isoformat()},
    )
    return record
