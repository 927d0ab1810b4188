"""`tongban verify-pdf FILE`: check a PDF's e-seal signatures; exit 0 only when valid.

Exit codes: 0 valid, 2 tampered, 3 unknown signer, 4 revoked seal, 5 unsigned, 6 not a PDF,
7 signature valid but what the document attests is no longer in force (a revoked, cancelled,
replaced or expired licence), 1 the file could not be read.
"""

import contextlib
import json
import logging
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
NOT_IN_FORCE = 7


@contextlib.contextmanager
def _quiet_pdf_library():
    """pyHanko logs a warning with a full traceback when a changed file defeats its diff analysis;
    the verdict says it all, so the person at the terminal sees that and nothing else."""
    logger = logging.getLogger("pyhanko")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


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
        with _quiet_pdf_library():
            result = actions.verify_pdf(data)
        subject = result.subject
        facts = {
            "verdict": _verdict(result),
            "status": result.status,
            "status_label": result.status_label,
            "message": result.message,
            "subject": subject.label if subject else "",
            "subject_status": subject.status if subject else "",
            "subject_status_label": subject.status_label if subject else "",
            "subject_message": subject.message if subject else "",
            "in_force": result.in_force,
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
                "verdict": "核验结论",
                "status_label": "签章",
                "message": "说明",
                "department": "签章单位",
                "seal": "印章",
                "signer": "证书主体",
                "signed_at": "签章时间",
                "revoked_at": "注销时间",
                "document_number": "文书编号",
                "document_type": "文书类型",
                "sha256": "SHA-256",
                "subject_status_label": f"{facts['subject'] or '文书'}状态",
                "subject_message": "状态说明",
            }
            for key, label in labels.items():
                if facts[key]:
                    self.stdout.write(f"{label}：{facts[key]}")
            for note in result.notes:
                self.stdout.write(f"注意：{note}")
        code = EXIT_CODES[result.status]
        if code:
            raise CommandError(f"文件未通过核验：{result.status_label}", returncode=code)
        if not result.in_force:
            raise CommandError(
                f"签章有效，但该{subject.label}{subject.status_label}，不能作为有效证明使用",
                returncode=NOT_IN_FORCE,
            )


def _verdict(result) -> str:
    if not result.is_valid:
        return f"未通过（{result.status_label}）"
    if not result.in_force:
        return f"签章有效，但{result.subject.label}{result.subject.status_label}"
    return "通过（签章有效）" + (
        f"，{result.subject.label}{result.subject.status_label}" if result.subject else ""
    )
