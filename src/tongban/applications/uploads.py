"""Checking uploaded materials by their content, not their name.

Accepted: PDF, JPEG and PNG, recognised by their first bytes and then opened with pypdf or Pillow
(a renamed .exe or a broken file fails here). Images are re-encoded without metadata, which drops
EXIF location and camera data. Names are reduced to a safe display form; the stored name is random.
"""

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from tongban.applications import conf

KINDS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
TYPE_ERROR = gettext_lazy("只能上传 PDF、JPG 或 PNG 文件（系统按文件内容识别，改扩展名无效）")


def too_large_message() -> str:
    return _("文件过大：单个文件不能超过 %(mb)s MB，请压缩或分页上传") % {
        "mb": conf.upload_max_bytes() // (1024 * 1024)
    }


@dataclass
class CheckedFile:
    content: bytes
    content_type: str
    extension: str
    pages: int
    sha256: str
    display_name: str


def sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def safe_display_name(name: str, extension: str) -> str:
    """The uploader's file name, fit for display: no path, no control characters, bounded length,
    and an extension that matches the real content."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip(" .") or "材料"
    stem = re.sub(r"[<>:\"|?*]", "_", stem)[:80]
    return f"{stem}.{extension}"


def _check_pdf(content: bytes) -> int:
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise ValidationError(_("PDF 文件已加密，工作人员无法查看，请上传未加密的文件"))
        pages = len(reader.pages)
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ValidationError(_("PDF 文件已损坏，无法打开，请重新生成后上传")) from exc
    if pages == 0:
        raise ValidationError(_("PDF 文件没有页面"))
    if pages > conf.upload_max_pages():
        raise ValidationError(
            _("PDF 页数过多：不能超过 %(pages)s 页") % {"pages": conf.upload_max_pages()}
        )
    return pages


def _clean_image(content: bytes, content_type: str) -> bytes:
    try:
        with Image.open(io.BytesIO(content)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image = ImageOps.exif_transpose(image)  # keep the picture upright, then drop all EXIF
            out = io.BytesIO()
            if content_type == "image/jpeg":
                image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
            else:
                image.save(out, "PNG", optimize=True)
    except Image.DecompressionBombError as exc:
        raise ValidationError(_("图片尺寸过大，请缩小后上传")) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("图片文件已损坏，无法打开，请重新拍摄或导出后上传")) from exc
    return out.getvalue()


def check_upload(uploaded) -> CheckedFile:
    """Validate an UploadedFile; raise ValidationError with a Chinese message, or return it cleaned."""
    if uploaded is None:
        raise ValidationError(_("请选择要上传的文件"))
    if uploaded.size > conf.upload_max_bytes():
        raise ValidationError(too_large_message())
    content = uploaded.read()
    if not content:
        raise ValidationError(_("文件是空的，请重新选择"))
    content_type = sniff(content[:16])
    if content_type is None:
        raise ValidationError(TYPE_ERROR)
    pages = 1
    if content_type == "application/pdf":
        pages = _check_pdf(content)
    else:
        content = _clean_image(content, content_type)
    extension = KINDS[content_type]
    return CheckedFile(
        content=content,
        content_type=content_type,
        extension=extension,
        pages=pages,
        sha256=hashlib.sha256(content).hexdigest(),
        display_name=safe_display_name(getattr(uploaded, "name", ""), extension),
    )


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading a request body that declares, or turns out to be, larger than the limit, so a
    200 MB file is refused at once instead of being spooled to disk first."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.declared_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Django only honours StopUpload from receive_data_chunk: note it here, stop at the first
        # file chunk. Plain fields (the CSRF token, the material) come first and still parse.
        self.declared_too_large = bool(
            content_length and content_length > conf.upload_max_bytes() + 64 * 1024
        )

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.declared_too_large or self.received > conf.upload_max_bytes():
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
