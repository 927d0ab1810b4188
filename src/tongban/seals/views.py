"""Public verification pages: upload a PDF and see whether its e-seal holds; look up a document
by the number or code printed on it (the QR code leads here). No personal data is shown."""

import uuid

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core import ratelimit
from tongban.core.request_context import client_ip
from tongban.seals import actions, ca, images
from tongban.seals.forms import VerifyUploadForm
from tongban.seals.models import IssuedDocument, PlatformCA, Seal

UPLOADS_PER_WINDOW = 20
WINDOW_SECONDS = 60


def _rate_limited(request) -> bool:
    key = f"seals:verify:{client_ip(request) or 'unknown'}"
    return ratelimit.exceeded(key, UPLOADS_PER_WINDOW, WINDOW_SECONDS)


@require_http_methods(["GET", "POST"])
def verify(request):
    result = None
    status = 200
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        if _rate_limited(request):
            form.add_error(None, _("核验次数过于频繁，请一分钟后再试"))
            status = 429
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            result = actions.verify_pdf(upload.read())
    else:
        form = VerifyUploadForm()
    return render(request, "seals/verify.html", {"form": form, "result": result}, status=status)


def _find_document(ref: str) -> IssuedDocument:
    queryset = IssuedDocument.objects.select_related("department", "seal")
    try:
        return queryset.get(public_id=uuid.UUID(ref))
    except (ValueError, IssuedDocument.DoesNotExist):
        pass
    return get_object_or_404(queryset, number=ref.strip())


def document(request, ref: str):
    doc = _find_document(ref)
    seal = doc.seal
    return render(
        request,
        "seals/document.html",
        {
            "doc": doc,
            "seal": seal,
            "seal_revoked": seal.status == Seal.Status.REVOKED,
            "subject": actions.subject_status(doc),
        },
    )


def seal_image(request, pk: int):
    seal = Seal.objects.select_related("department").filter(pk=pk).first()
    if seal is None:
        raise Http404("印章不存在")
    svg = images.seal_svg(seal.department.name, seal.get_kind_display())
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def ca_certificates(request):
    """The platform's root certificate(s), for importing into a PDF reader's trust list."""
    ca.current_ca()
    pems = PlatformCA.objects.order_by("-created_at").values_list("certificate_pem", flat=True)
    response = HttpResponse("".join(pems), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="tongban-seal-root-ca.pem"'
    return response
