"""`tongban verify-pdf FILE`: check a PDF's e-seal signatures; exit 0 only when valid.

Exit codes: 0 valid, 2 tampered, 3 unknown signer, 4 revoked seal, 5 unsigned, 6 not a PDF,
1 the file could not be read.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.seals import actions

EXIT_CODES = {
    actions.Status.VALID: 0,
    actions.Status.TAMPERED: 2,
    actions.Status.UNKNOWN_SIGNER: 3,
    actions.Status.REVOKED: 4,
    actions.Status.UNSIGNED: 5,
    actions.Status.NOT_PDF: 6,
}


class Command(BaseCommand):
    help = "核验 PDF 文件的电子印章签名（有效 / 已篡改 / 签章人未知 / 印章已注销 / 未签章）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="PDF 文件路径")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror or exc}", returncode=1) from exc
        result = actions.verify_pdf(data)
        facts = {
            "status": result.status,
            "status_label": result.status_label,
            "message": result.message,
            "department": result.department.name if result.department else "",
            "seal": result.seal.name if result.seal else "",
            "signer": result.signer_subject,
            "signed_at": result.signed_at.isoformat() if result.signed_at else "",
            "revoked_at": result.revoked_at.isoformat() if result.revoked_at else "",
            "document_number": result.document_number,
            "document_type": result.document_type,
            "sha256": result.sha256,
            "notes": result.notes,
        }
        if options["json"]:
            self.stdout.write(json.dumps(facts, ensure_ascii=False, indent=2))
        else:
            labels = {
                "status_label": "结果",
                "message": "说明",
                "department": "签章单位",
                "seal": "印章",
                "signer": "证书主体",
                "signed_at": "签章时间",
                "revoked_at": "注销时间",
                "document_number": "文书编号",
                "document_type": "文书类型",
                "sha256": "SHA-256",
            }
            for key, label in labels.items():
                if facts[key]:
                    self.stdout.write(f"{label}：{facts[key]}")
            for note in result.notes:
                self.stdout.write(f"注意：{note}")
        code = EXIT_CODES[result.status]
        if code:
            raise CommandError(f"文件未通过核验：{result.status_label}", returncode=code)
