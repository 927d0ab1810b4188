"""免证可办 on the exchange: with the applicant's consent, a material marked replaceable by shared
data is fulfilled by a query (as the platform consumer "platform.certificate_free") instead of an
upload. A provider that is down, or has no record, never blocks the applicant: the refusal says
so plainly and the material stays open for upload."""

import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.core import audit, pii
from tongban.exchange.actions import query
from tongban.exchange.actions.errors import ExchangeDenied, ProviderUnavailable
from tongban.exchange.audit_actions import AuditAction
from tongban.exchange.models import (
    CallRecord,
    Consumer,
    DataItem,
    MaterialSubstitute,
    MaterialVerification,
)

CONSUMER = "platform.certificate_free"


def substitutes_for(materials) -> dict[int, MaterialSubstitute]:
    """Per material id, the shared data that may stand in for it (one query)."""
    by_name = {
        s.material_name: s
        for s in MaterialSubstitute.objects.filter(
            material_name__in={m.name for m in materials}, resource__current_version__isnull=False
        ).select_related("resource__current_version", "resource__department")
    }
    return {m.pk: by_name[m.name] for m in materials if m.name in by_name}


def verifications_for(application_ref: int) -> dict[int, MaterialVerification]:
    return {
        v.material_id: v
        for v in MaterialVerification.objects.filter(
            application_ref=application_ref, released_at__isnull=True
        ).select_related("call_record__checkpoint")
    }


@dataclass
class VerifiedFact:
    label: str
    value: str


def facts(verification: MaterialVerification) -> list[VerifiedFact]:
    """The verified values with their item names, for the staff handling the case."""
    values = json.loads(pii.decrypt(verification.values))
    items = {
        code: (name, rule)
        for code, name, rule in DataItem.objects.filter(
            version_id=verification.resource.current_version_id, code__in=list(values)
        ).values_list("code", "name", "rule")
    }
    shown = []
    for code, value in values.items():
        name, rule = items.get(code, (code, ""))
        text = "" if value is None else str(value)
        if rule == DataItem.Rule.CITIZEN_ID:  # the number is on the case already; not again in full
            text = pii.mask_id_number(text)
        shown.append(VerifiedFact(name, text))
    return shown


def _ask(substitute, subject, case_ref):
    consumer = Consumer.objects.filter(code=CONSUMER, active=True).first()
    label = (
        substitute.resource.current_version.provider_label or substitute.resource.department.name
    )
    fallback = f"，请上传{substitute.material_name}，已填写的内容不受影响"
    if consumer is None:
        raise ValidationError(f"共享数据核验暂未开通{fallback}")
    try:
        result = query.query(
            consumer=consumer,
            resource_code=substitute.resource.code,
            subjects=[subject],
            items=list(substitute.items),
            purpose=f"以共享数据代替申请材料：{substitute.material_name}",
            case_ref=case_ref,
        )
    except ProviderUnavailable as exc:
        raise ValidationError(f"{label}暂时无法核验（{exc}）{fallback}") from exc
    except ExchangeDenied as denial:
        raise ValidationError(f"{label}不能核验：{denial.message}{fallback}") from denial
    record = result.records.get(pii.normalise(subject))
    if record is None:
        raise ValidationError(f"{label}中没有找到申请人的记录{fallback}")
    return result, record


def verify_material(
    *,
    application_ref: int,
    case_ref: str,
    material,
    subject_kind: str,
    subject: str,
    actor,
    consent: bool,
) -> MaterialVerification:
    """Fulfil `material` for an application by a query about `subject` (the applicant)."""
    if not consent:
        raise ValidationError("请先勾选同意通过数据共享核验")
    substitute = substitutes_for([material]).get(material.pk)
    if substitute is None:
        raise ValidationError("该材料不能用共享数据代替")
    if substitute.resource.current_version.subject_kind != subject_kind:
        raise ValidationError("该材料的共享数据不适用于此类申请人")
    result, record = _ask(substitute, subject, case_ref)
    with transaction.atomic():
        MaterialVerification.objects.filter(
            application_ref=application_ref, material=material, released_at__isnull=True
        ).update(released_at=timezone.now())
        verification = MaterialVerification.objects.create(
            application_ref=application_ref,
            case_ref=case_ref,
            material=material,
            resource=substitute.resource,
            resource_name=result.resource_name,
            provider_department=result.provider_department,
            provider_label=result.provider_label,
            items=result.items,
            values=pii.encrypt(json.dumps(record, ensure_ascii=False)),
            call_record=CallRecord.objects.get(pk=result.record_ids[0]),
            consent_by=actor if getattr(actor, "pk", None) else None,
            verified_at=timezone.now(),
        )
        audit.record(
            AuditAction.MATERIAL_VERIFY,
            actor=verification.consent_by,
            obj=verification,
            detail={
                "application": application_ref,
                "material": material.name,
                "resource": substitute.resource.code,
                "call_record": result.record_ids[0],
            },
        )
    return verification


@transaction.atomic
def release(*, application_ref: int, material, actor) -> None:
    """The applicant goes back to uploading the material."""
    updated = MaterialVerification.objects.filter(
        application_ref=application_ref, material=material, released_at__isnull=True
    ).update(released_at=timezone.now())
    if not updated:
        raise ValidationError("该材料没有使用共享数据核验")
    audit.record(
        AuditAction.MATERIAL_RELEASE,
        actor=actor if getattr(actor, "pk", None) else None,
        object_type="exchange.materialverification",
        object_id=str(application_ref),
        detail={"material": material.name},
    )


def name_case(*, application_ref: int, case_number: str) -> int:
    """The case number the application got on submission, on the verifications made while it was a
    draft, so the applicant's 用数记录 names the case. The call records themselves are sealed and
    keep what was known at the call."""
    named = (
        MaterialVerification.objects.filter(application_ref=application_ref)
        .exclude(case_ref=case_number)
        .update(case_ref=case_number)
    )
    if named:
        audit.record(
            AuditAction.MATERIAL_CASE_NUMBER,
            actor=None,
            object_type=MaterialVerification._meta.label_lower,
            object_id=str(application_ref),
            detail={"case_number": case_number, "verifications": named},
        )
    return named
