"""The public verification upload: checked by content (PDF magic bytes) and size, not by name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.seals.actions import PDF_MAGIC

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("选择 PDF 文件"),
        help_text=_("请上传本平台签发的 PDF 文书或证照，文件不超过 20 MB。"),
        error_messages={"required": _("请选择要核验的 PDF 文件"), "empty": _("上传的文件是空的")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，请上传本平台签发的原始 PDF 文件"))
        head = upload.read(len(PDF_MAGIC))
        upload.seek(0)
        if head != PDF_MAGIC:
            raise forms.ValidationError(
                _("该文件不是 PDF 文件（按文件内容判断），请上传本平台签发的 PDF 文书")
            )
        return upload
