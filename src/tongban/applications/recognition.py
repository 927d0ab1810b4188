"""智能免填 by 材料识别: what an uploaded or scanned certificate says, offered for the form.

A form field takes a recognised value when its property names it ("x-ocr": ["business_licence.name"])
or when it prefills a key the document kind offers (a 营业执照's name offers itself to the field
that prefills "enterprise.name"). Offers are only offers: the form changes when the person
confirms them, with what they kept or corrected, and the corrections are recorded (ocr app).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext

from tongban.accounts.models import User
from tongban.applications import actions, formdefs, prefill, uploads
from tongban.applications.actions import materials
from tongban.applications.audit_actions import AuditAction
from tongban.applications.models import Application, UploadedFile
from tongban.core import audit, pii
from tongban.ocr import actions as ocr
from tongban.ocr import kinds
from tongban.ocr import messages as ocr_messages
from tongban.ocr.models import Recognition

AGENT_WORDS = ("受托人", "经办人", "代理人")


@dataclass
class Offer:
    field: str  # the form field
    label: str
    source: str  # "<kind>.<field>" of the document
    value: str  # "" when not offered
    confidence: float
    problem: str  # why nothing is offered
    locked: bool  # the platform already knows this field: it is compared, not offered
    current: str  # what the form holds now

    @property
    def differs(self) -> bool:
        return bool(self.value) and bool(self.current) and self.value != self.current


def _whose(material_name: str) -> str:
    return "agent" if any(word in material_name for word in AGENT_WORDS) else "applicant"


def _sources(kind: kinds.DocumentKind, prop: dict, whose: str) -> list[str]:
    wanted = list(prop.get("x-ocr") or [])
    key = prop.get("x-prefill") or ""
    for spec in kind.fields:
        if not spec.prefill:
            continue
        mapped = spec.prefill.replace("person.", f"{whose}.", 1)
        if key == mapped:
            wanted.append(f"{kind.code}.{spec.name}")
    return [w for w in wanted if w.startswith(f"{kind.code}.")]


def offers(
    application: Application, recognition: Recognition, material_name: str = ""
) -> list[Offer]:
    """The form fields this recognition can fill, with their offered value or the reason."""
    kind = kinds.get(recognition.kind)
    form = application.form
    data = application.data
    locked = actions.prefilled_fields(application)
    visible = set(formdefs.visible_fields(form.schema, form.layout, data))
    whose = _whose(material_name)
    out = []
    for name, prop in form.schema.get("properties", {}).items():
        if name not in visible or (form.layout.get("widgets") or {}).get(name) == "hidden":
            continue
        for source in _sources(kind, prop, whose):
            field = recognition.fields.get(source.split(".", 1)[1], {})
            current = "" if data.get(name) is None else str(data.get(name))
            out.append(
                Offer(
                    field=name,
                    label=prop.get("title", name),
                    source=source,
                    value=field.get("value", "") if not field.get("problem") else "",
                    confidence=field.get("confidence", 0.0),
                    problem=field.get("problem", ""),
                    locked=name in locked,
                    current=current,
                )
            )
            break
    return out


def shown(offer: Offer) -> Offer:
    """Personal identifiers stay masked on a page that compares them with the account's; the
    reason a value is not offered is said in the page's language."""
    offer.problem = ocr_messages.translated(offer.problem)
    if offer.locked and offer.field.endswith("id_number"):
        offer.value = pii.mask_id_number(offer.value) if offer.value else ""
        offer.current = pii.mask_id_number(offer.current) if offer.current else ""
    return offer


def upload_of(application: Application, recognition_id) -> UploadedFile:
    stored = (
        application.files.select_related("recognition", "material")
        .filter(recognition__public_id=recognition_id)
        .first()
    )
    if stored is None:
        raise ValidationError(gettext("没有找到该材料的识别结果"))
    return stored


@transaction.atomic
def confirm(*, application: Application, actor: User, stored: UploadedFile, raw) -> int:
    """Put what the person confirmed into the form; record each offered field's correction.
    Returns how many form fields were filled."""
    application = actions.locked(application, actor)
    recognition = stored.recognition
    if recognition is None or recognition.status != Recognition.Status.DONE:
        raise ValidationError(gettext("该材料没有待确认的识别结果"))
    schema = application.form.schema
    data = prefill.apply(schema, actions.prefill_context(application), application.data)
    kept, filled = {}, 0
    for offer in offers(application, recognition, stored.material.name):
        if offer.locked or offer.field not in raw:
            continue
        typed = str(raw.get(offer.field, "")).strip()
        data[offer.field] = formdefs.coerce(schema["properties"][offer.field], typed)
        if offer.value:
            kept[offer.source.split(".", 1)[1]] = typed
        filled += bool(typed)
    application.data = data
    application.save(update_fields=["data", "updated_at"])
    ocr.confirm(recognition=recognition, actor=actor, kept=kept)
    audit.record(
        AuditAction.RECOGNITION_CONFIRMED,
        actor=actor,
        obj=application,
        detail={"material": stored.material.name, "filled": filled},
    )
    return filled


@transaction.atomic
def confirm_scan(
    *, application: Application, actor: User, recognition: Recognition, id_number: str
) -> None:
    """窗口代办: the clerk created the draft with the scanned card's number (as read or corrected).
    The card's address fills the applicant's address when the account has none."""
    if recognition.status != Recognition.Status.DONE:
        return
    offered = recognition.offered()
    kept = {"id_number": id_number}
    address = offered.get("address", {}).get("value", "")
    field = "applicant_address"
    fillable = (
        address
        and field in application.form.schema.get("properties", {})
        and field not in actions.prefilled_fields(application)
        and not application.data.get(field)
    )
    if fillable:
        application.data = {**application.data, field: address}
        application.save(update_fields=["data", "updated_at"])
        kept["address"] = address
    ocr.confirm(recognition=recognition, actor=actor, kept=kept)


def id_material(application: Application, kind: str):
    """The material slot of the applicant's own document of `kind` (not an agent's), if the
    application asks for one."""
    for material in actions.required_materials(application):
        if material.document_kind == kind and _whose(material.name) == "applicant":
            return material
    return None


@transaction.atomic
def keep_scan(
    *, application: Application, actor: User, recognition: Recognition
) -> UploadedFile | None:
    """窗口代办: the card the clerk scanned is the applicant's material of that kind, so nobody
    scans or uploads it again. Checked by content like any upload; its reading goes with it (no
    second OCR). None when the application asks for no such material or has one already."""
    material = id_material(application, recognition.kind)
    if material is None or application.files.filter(material=material).exists():
        return None
    if UploadedFile.objects.filter(recognition=recognition).exists():
        return None  # kept already (the draft form sent twice)
    with recognition.source.open("rb") as source:
        content = source.read()
    extension = recognition.source.name.rsplit(".", 1)[-1]
    checked = uploads.check_upload(ContentFile(content, name=f"{material.name}.{extension}"))
    return materials._store_checked(application, material, actor, checked, recognition=recognition)


@transaction.atomic
def take_scan(
    *, application: Application, actor: User, recognition: Recognition, id_number: str
) -> UploadedFile | None:
    """窗口代办, the draft is made: the scan becomes the applicant's ID material (read or not), and
    what it offered is confirmed with the number the clerk kept."""
    stored = keep_scan(application=application, actor=actor, recognition=recognition)
    confirm_scan(application=application, actor=actor, recognition=recognition, id_number=id_number)
    return stored
