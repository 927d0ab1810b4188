"""The 申请回执: the dated, sealed voucher of 行政许可法 art. 32 that an application was received,
with the case number, what was applied for, every material and how it was provided, and how to
follow the case. Issued like every other document (seals.documents: numbered by the case number,
PAdES-signed with the department's seal), so its QR code opens the verification page."""

from django.db import transaction
from django.utils import timezone

from tongban.applications.models import Application, Receipt


def material_line(row: dict) -> str:
    """How one material of the checklist was provided, as the applicant and the window read it."""
    name = row["material"].name
    if row["files"]:
        given = "、".join(f"{f.original_name}，{f.pages}页" for f in row["files"])
        return f"{name}（已上传：{given}）"
    if row["licence_use"]:
        licence = row["licence_use"].licence
        return f"{name}（已用电子证照：{licence.licence_type.name} {licence.number or licence.identifier}）"
    commitment = row["commitment"]
    if commitment is not None:
        return f"{name}（{commitment.get_kind_display()}）"
    return f"{name}（{'未提交' if row['material'].required else '未提交（按需）'}）"


def receipt_sections(application: Application) -> list[tuple[str, str]]:
    from tongban.applications.actions import material_checklist

    rows = material_checklist(application)
    materials = (
        "\n".join(f"{i}. {material_line(row)}" for i, row in enumerate(rows, start=1)) or "无"
    )
    submitted = timezone.localtime(application.submitted_at)
    return [
        (
            "申请事项",
            f"{application.item_version.name}"
            + (f"（{application.handling_item.name}）" if application.handling_item_id else ""),
        ),
        ("办件编号", application.case_number),
        ("申请人", application.applicant_name + f"（证件号码 {application.masked_applicant_id}）"),
        (
            "提交时间",
            f"{submitted:%Y年%m月%d日 %H:%M}，申报渠道：{application.get_channel_display()}",
        ),
        ("受理部门", application.service_item.department.name),
        ("申请材料", materials),
        (
            "说明",
            "本回执仅证明申请已提交，不代表已受理。受理部门将在5个工作日内作出受理、不予受理或"
            "一次性告知补正的决定（《中华人民共和国行政许可法》第三十二条）。"
            "您可以在“我的办件”或用办件编号和手机号后四位查询办理进度。",
        ),
    ]


@transaction.atomic
def create_receipt(application: Application) -> Receipt:
    """Idempotent: the receipt, its document and its number are written together or not at all.
    Without a usable seal of the department this raises (Chinese) and the pipeline retries."""
    existing = Receipt.objects.filter(application=application).first()
    if existing:
        return existing
    from tongban.seals.documents import issue_document

    document = issue_document(
        document_type="receipt",
        title="申请回执",
        sections=receipt_sections(application),
        department=application.service_item.department,
        related=application,
        issued_on=timezone.localdate(application.submitted_at),
        number=application.case_number,
    )
    return Receipt.objects.create(
        application=application,
        file=document.file.name,
        sha256=document.sha256,
        document=document,
    )
