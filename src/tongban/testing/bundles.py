"""Driving a bundle's members through their departments' case handling, as the workbench does."""

from tongban.applications.models import Application
from tongban.cases import actions as cases
from tongban.cases.models import ReviewStep
from tongban.core import demo as core_demo
from tongban.testing.factories import demo_staff as staff


def department_key(application: Application) -> str:
    name = application.service_item.department.name
    return next(key for key, full_name, *_rest in core_demo.DEPARTMENTS if full_name == name)


def decide(application: Application, approve: bool = True) -> None:
    """Every review step by the department's staff, then 办结."""
    key = department_key(application)
    application.refresh_from_db()
    if application.item_version.handling_type == "1":  # 即办件: accepted and decided at once
        cases.decide_immediately(
            application=application,
            actor=staff("rs_window"),
            approve=approve,
            reason="符合条件，当场办结" if approve else "不符合条件",
        )
    while True:
        application.refresh_from_db()
        if application.status != "accepted":
            break
        step = ReviewStep.objects.filter(case__application=application, finished_at=None).first()
        login = "rs_window" if step.role == "window_clerk" else f"{key}_{step.role}"
        last = step.role in ("approver", "window_clerk")
        action = "approve" if approve or not last else "other"
        cases.complete_step(
            application=application,
            actor=staff(login),
            step_id=step.pk,
            action=action,
            opinion="符合条件，同意" if approve else "不符合条件",
        )
    application.refresh_from_db()
    closer = "rs_window" if key == "rs" else f"{key}_handler"
    cases.complete(application=application, actor=staff(closer))


def accept_waiting(bundle) -> list[str]:
    """一窗受理 whatever waits for acceptance (a member that started by itself, say)."""
    from tongban.bundles.actions import joint, window

    if not any(
        r.application.status == "submitted" and r.application.item_version.handling_type != "1"
        for r in joint.memberships(bundle)
    ):
        return []
    return window.accept_all(bundle=bundle, actor=staff("yjsclerk"))
