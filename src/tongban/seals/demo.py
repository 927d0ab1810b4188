"""Demo seals: every active department gets a 业务专用章 and an 电子证照专用章 (idempotent)."""

from tongban.core.models import Department
from tongban.seals import actions
from tongban.seals.models import Seal

DEMO_KINDS = [
    (Seal.Kind.BUSINESS, "业务专用章"),
    (Seal.Kind.LICENCE, "电子证照专用章"),
]


def load(log) -> None:
    created = 0
    for department in Department.objects.filter(is_active=True).order_by("pk")[:200]:
        for kind, suffix in DEMO_KINDS:
            if Seal.objects.filter(
                department=department, kind=kind, status=Seal.Status.ACTIVE
            ).exists():
                continue
            actions.create_seal(None, department, f"{department.name}{suffix}", kind, 3 * 365)
            created += 1
    log(f"电子印章：新建 {created} 枚")
