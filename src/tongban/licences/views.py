"""我的证照 (wallet, detail, download, 亮证), public verification and the 免提交 action."""

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from tongban.core import audit
from tongban.core.paging import ShortListPaginator
from tongban.licences import actions
from tongban.licences.audit_actions import AuditAction
from tongban.licences.models import Licence


def _own(request, pk: int) -> Licence:
    licence = (
        actions.wallet(request.user).filter(pk=pk).first()
        or Licence.objects.filter(pk=pk, owner=request.user)
        .select_related("licence_type", "issuer")
        .first()
    )
    if licence is None:
        raise Http404("没有找到该证照")
    return licence


@login_required
def wallet(request):
    page = ShortListPaginator(actions.wallet(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "licences/wallet.html", {"page": page, "licences": page.object_list})


@login_required
def detail(request, pk: int):
    licence = _own(request, pk)
    uses = Paginator(
        licence.uses.select_related("application", "material", "department").order_by(
            "-used_at", "-pk"
        ),
        20,
    ).get_page(request.GET.get("page"))
    versions = list(
        Licence.objects.filter(
            licence_type=licence.licence_type, issuer=licence.issuer, serial=licence.serial
        )
        .order_by("-version")
        .values("pk", "identifier", "version", "status", "issued_on", "change_kind")[:20]
    )
    return render(
        request,
        "licences/detail.html",
        {
            "licence": licence,
            "uses": uses,
            "versions": versions,
            "status_text": actions.status_sentence(licence),
        },
    )


def _pdf(request, licence: Licence, document, action: str, filename: str, what: str):
    """Stream one of the holder's stored PDFs, with an audit record of the download."""
    if document is None:
        raise Http404(f"该证照没有{what}")
    try:
        handle = document.file.open("rb")
    except OSError:
        raise Http404(f"{what}暂时无法读取，请稍后再试") from None
    audit.record(action, actor=request.user, obj=licence)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )


@login_required
def download(request, pk: int):
    licence = _own(request, pk)
    name = f"{licence.licence_type.name}-{licence.serial}-v{licence.version}.pdf"
    return _pdf(request, licence, licence.document, AuditAction.DOWNLOAD, name, "电子文件")


@login_required
def decision(request, pk: int):
    """The 撤销决定书 of a revoked licence, for its holder (audited)."""
    licence = _own(request, pk)
    name = f"撤销决定书-{licence.serial}-v{licence.version}.pdf"
    return _pdf(
        request, licence, licence.status_document, AuditAction.DECISION_DOWNLOAD, name, "撤销决定书"
    )


def _scan_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("licences:scan", args=[token])


@never_cache
@login_required
def show(request, pk: int):
    licence = _own(request, pk)
    try:
        token = actions.show_token(licence, request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("licences:detail", pk=pk)
    return render(
        request,
        "licences/show.html",
        {
            "licence": licence,
            "token": token,
            "scan_url": _scan_url(token),
            "seconds": actions.show_token_seconds(),
        },
    )


@never_cache
@login_required
def show_qr(request, pk: int):
    licence = _own(request, pk)
    token = request.GET.get("t", "")
    if actions.token_licence_id(token) != licence.pk:
        raise Http404("亮证码无效或已过期，请刷新页面")
    image = qrcode.make(
        _scan_url(token), image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    out = io.BytesIO()
    image.save(out)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    return response


def verify(request):
    raw = (request.GET.get("identifier") or request.POST.get("identifier") or "").strip()
    result = actions.verify(raw) if raw else None
    return render(request, "licences/verify.html", {"identifier": raw, "result": result})


@never_cache
def scan(request, token: str):
    licence, reason = actions.read_show_token(token)
    result = actions.verify(licence.identifier) if licence else None
    return render(
        request, "licences/scan.html", {"licence": licence, "reason": reason, "result": result}
    )
