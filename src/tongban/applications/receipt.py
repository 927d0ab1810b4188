"""The 申请回执: a PDF the applicant keeps, with the case number, what was applied for, the
materials given and how to follow the case. Rendered by the platform's document producer."""

import hashlib
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tongban.applications.models import Application, Receipt


def receipt_sections(application: Application) -> list[tuple[str, str]]:
    files = list(application.files.select_related("material"))
    materials = (
        "\n".join(
            f"{i}. {f.material.name}（{f.original_name}，{f.pages}页）"
            for i, f in enumerate(files, start=1)
        )
        or "无"
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
        ("已提交材料", materials),
        (
            "说明",
            "本回执仅证明申请已提交，不代表已受理。受理部门将在5个工作日内作出受理、不予受理或"
            "一次性告知补正的决定（《中华人民共和国行政许可法》第三十二条）。"
            "您可以在“我的办件”或用办件编号和手机号后四位查询办理进度。",
        ),
    ]


def create_receipt(application: Application) -> Receipt:
    existing = Receipt.objects.filter(application=application).first()
    if existing:
        return existing
    from tongban.seals.documents import render_document

    progress_url = settings.SITE_URL.rstrip("/") + reverse("applications:progress")
    pdf = render_document(
        title="申请回执",
        number=application.case_number,
        sections=receipt_sections(application),
        issuer=application.service_item.department,
        issued_on=timezone.localdate(application.submitted_at),
        qr_url=progress_url,
    )
    receipt = Receipt(application=application, sha256=hashlib.sha256(pdf).hexdigest())
    receipt.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(pdf), save=False)
    receipt.save()
    return receipt
