"""A case carried through its life by the service layers, as the people involved would: submitted by
its applicant, accepted by the clerk, approved step by step, completed."""

import datetime

from tongban.testing.clock import at
from tongban.testing.factories import pdf


def submit_application(owner, item, **kwargs):
    """Start, fill both sections, attach a PDF to every required material and submit."""
    from tongban.applications import actions as intake

    application = intake.start_application(owner=owner, service_item=item, channel="pc", **kwargs)
    intake.save_section(
        application=application, actor=owner, section=1, raw={"request_detail": "申请办理许可"}
    )
    intake.save_section(
        application=application, actor=owner, section=2, raw={"delivery_method": "window"}
    )
    for material in intake.required_materials(application):
        intake.attach_file(
            application=application,
            actor=owner,
            material_id=material.pk,
            uploaded=pdf("申请书.pdf"),
        )
    return intake.submit(application=application, actor=owner)


def open_step(application):
    """The case's step waiting for its person."""
    return application.case.steps.get(finished_at=None)


def accepted(owner, item, people, day: datetime.date, hour: int = 9):
    """Submitted and accepted by `people["clerk"]` at `day` `hour` o'clock."""
    from tongban.cases import actions as cases

    with at(day, hour):
        application = submit_application(owner, item)
        cases.accept(application=application, actor=people["clerk"])
    return application


def approve_all(application, people, opinion: str = "符合条件") -> None:
    """承办 → 审核 → 批准, each approving (the deciding is not what these tests are about)."""
    from tongban.cases import actions as cases

    for role in ("handler", "reviewer", "approver"):
        application.refresh_from_db()
        cases.complete_step(
            application=application,
            actor=people[role],
            step_id=open_step(application).pk,
            action="approve",
            opinion=opinion,
        )


def complete_case(owner, people, item, day: datetime.date = datetime.date(2026, 11, 2)):
    """Submitted, accepted, three review steps and 办结, all on `day`."""
    from tongban.cases import actions as cases

    with at(day):
        application = submit_application(owner, item)
        cases.accept(application=application, actor=people["clerk"])
        approve_all(application, people)
        cases.complete(application=application, actor=people["clerk"])
    application.refresh_from_db()
    return application
