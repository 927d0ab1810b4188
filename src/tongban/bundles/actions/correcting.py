"""补正 in one place: the applicant corrects every member under 补正 from the bundle's page, with
one set of values and files, and resubmits them together. A form field that several members share
(the applicant's name, the enterprise's address, the newborn's name …) is corrected once and every
member that asks for it and can still take it gets the value: the members under 补正 and those
waiting for their prerequisite (drafts, submitted later with the corrected value). Members not
under 补正 are otherwise untouched; resubmitting twice (double click, second tab) changes nothing
more."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from tongban.applications import actions as intake
from tongban.applications import formdefs
from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.bundles.actions import joint
from tongban.bundles.audit_actions import AuditAction
from tongban.bundles.models import BundleApplication, BundleEvent, MemberApplication
from tongban.cases import actions as cases
from tongban.core import audit

# Values shown on the page only to whom may see them in full: these are asked again, never shown.
PERSONAL_FORMATS = {"citizen_id", "phone", "bank_account"}


def under_correction(bundle: BundleApplication) -> list[dict]:
    """Members waiting for correction, each with its one 补正告知 and its materials."""
    out = []
    for row in joint.memberships(bundle):
        application = row.application
        if application.status != Status.CORRECTION:
            continue
        out.append(
            {
                "row": row,
                "application": application,
                "notice": cases.open_correction(application),
                "materials": intake.required_materials(application),
            }
        )
    return out


@dataclass
class CorrectableField:
    """A form field of a member under 补正, with every member it is corrected in."""

    name: str
    prop: dict
    value: object  # the current value (None for personal data: asked again, never shown)
    personal: bool
    applications: list[Application] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.prop.get("title", self.name)

    @property
    def choices(self) -> list[tuple]:
        """(value, label) of a field with a fixed list of values."""
        values = list(self.prop.get("enum") or [])
        labels = self.prop.get("x-enum-labels") or [str(v) for v in values]
        return list(zip(values, labels, strict=False))

    @property
    def member_names(self) -> list[str]:
        return [a.item_version.name for a in self.applications]


def _takers(bundle: BundleApplication) -> list[Application]:
    """Members that can still take a corrected value: under 补正, or waiting drafts."""
    return [
        row.application
        for row in joint.memberships(bundle)
        if row.application.status == Status.CORRECTION
        or (row.state == MemberApplication.State.WAITING and row.application.status == Status.DRAFT)
    ]


def correctable_fields(bundle: BundleApplication) -> list[CorrectableField]:
    """The fields of the members under 补正 the applicant types (not those the platform knows),
    each once, in the members' order, with every member that takes it."""
    takers = _takers(bundle)
    asking = {a.pk for a in takers if a.status == Status.CORRECTION}
    if not asking:
        return []
    fields: dict[str, CorrectableField] = {}
    for application in takers:
        locked = intake.prefilled_fields(application)
        # Only the fields this applicant's form shows: an enterprise's form hides the person's
        # 申请人姓名 / 联系地址 (its applicant is the enterprise, named by the platform), which would
        # otherwise be offered empty.
        shown = set(
            formdefs.visible_fields(
                application.form.schema, application.form.layout, application.data
            )
        )
        for section in application.form.sections:
            for name in section["fields"]:
                prop = application.form.schema["properties"][name]
                if name in locked or name not in shown or prop.get("type") == "boolean":
                    continue
                if name not in fields and application.pk not in asking:
                    continue  # offered only for what a member under 补正 asks
                if name not in fields:
                    personal = prop.get("x-format") in PERSONAL_FORMATS
                    fields[name] = CorrectableField(
                        name=name,
                        prop=prop,
                        value=None if personal else application.data.get(name),
                        personal=personal,
                    )
                fields[name].applications.append(application)
    return list(fields.values())


def _changes(offered: list[CorrectableField], values: dict) -> dict[str, object]:
    """The fields whose value the applicant changed (a personal field left empty is unchanged)."""
    by_name = {f.name: f for f in offered}
    strangers = sorted(set(values) - set(by_name))
    if strangers:
        raise ValidationError(
            {"values": [f"这些内容不在待补正事项的申请表中，不能在此修改：{'、'.join(strangers)}"]}
        )
    changed = {}
    for name, raw in values.items():
        entry = by_name[name]
        value = formdefs.coerce(entry.prop, raw)
        if entry.personal and value is None:
            continue
        if any(a.data.get(name) != value for a in entry.applications):
            changed[name] = raw
    return changed


def _apply_values(application: Application, actor, changed: dict) -> list[str]:
    """Type the corrected values into one member, page by page, through intake; its problems."""
    application = Application.objects.get(pk=application.pk)
    problems = []
    for index, section in enumerate(application.form.sections):
        mine = [name for name in section["fields"] if name in changed]
        if not mine:
            continue
        raw = {name: application.data.get(name) for name in section["fields"]}
        raw.update({name: changed[name] for name in mine})
        found = intake.save_section(application=application, actor=actor, section=index, raw=raw)
        problems += [
            f"{application.form.schema['properties'][name].get('title', name)}：{message}"
            for name, messages in found.items()
            if name in mine
            for message in (messages if isinstance(messages, list) else [messages])
        ]
        application.refresh_from_db()
    return problems


@transaction.atomic
def correct(
    *, bundle: BundleApplication, actor, files: dict[int, list], values: dict | None = None
) -> list[str]:
    """`files`: application material id → corrected files; `values`: field name → corrected value,
    typed once for every member that asks for the field. Every member under 补正 gets its files
    and values and is resubmitted, a waiting member gets the values; returns the resubmitted case
    numbers (empty: nothing to correct). Refused whole, nothing written, on any bad input."""
    bundle = BundleApplication.objects.select_for_update(of=("self",)).get(pk=bundle.pk)
    if bundle.owner_id != actor.pk:
        raise ValidationError("只有申请人本人可以补正")
    waiting = under_correction(bundle)
    if not waiting:
        return []
    known = {m.pk for w in waiting for m in w["materials"]}
    strangers = [str(k) for k in files if k not in known]
    if strangers:
        raise ValidationError("上传的材料不属于待补正的事项")
    offered = correctable_fields(bundle)
    changed = _changes(offered, values or {})
    corrected: dict[str, list[str]] = {}
    problems = []
    for entry in offered:
        if entry.name not in changed:
            continue
        corrected[entry.title] = entry.member_names
    for application in {
        a.pk: a for f in offered if f.name in changed for a in f.applications
    }.values():
        own = {n: v for n, v in changed.items() if n in application.form.schema["properties"]}
        found = _apply_values(application, actor, own)
        problems += [f"“{application.item_version.name}”{p}" for p in found]
    if problems:
        raise ValidationError({"values": problems})
    resubmitted = []
    for entry in waiting:
        application = Application.objects.get(pk=entry["application"].pk)
        for material in entry["materials"]:
            for uploaded in files.get(material.pk, []):
                uploaded.seek(0)
                intake.attach_file(
                    application=application, actor=actor, material_id=material.pk, uploaded=uploaded
                )
        try:
            intake.submit(application=application, actor=actor)
        except ValidationError as exc:
            raise ValidationError(
                f"“{application.item_version.name}”：{'；'.join(exc.messages)}"
            ) from exc
        resubmitted.append(application.case_number)
    opinion = f"已一次补正并重新提交：{'、'.join(resubmitted)}。"
    if corrected:
        opinion += (
            "一次更正、同步到各事项的内容："
            + "；".join(f"{title}（{'、'.join(names)}）" for title, names in corrected.items())
            + "。"
        )
    BundleEvent.objects.create(bundle_application=bundle, action="补正后重新提交", opinion=opinion)
    audit.record(
        AuditAction.CORRECT,
        actor=actor,
        obj=bundle,
        # field names only: the values may be personal data
        detail={"cases": resubmitted, "fields": sorted(changed)},
    )
    return resubmitted
