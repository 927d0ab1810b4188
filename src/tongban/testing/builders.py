"""A case carried through its life by the service layers, as the people involved would: submitted by
its applicant, accepted by the clerk, approved step by step, completed."""

import datetime

from tongban.testing.clock import at
from tongban.testing.factories import pdf


def fill_application(application, actor, detail: str = "申请办理许可"):
    """Fill both sections of a draft and attach a PDF to every required material."""
    from tongban.applications import actions as intake

    intake.save_section(
        application=application, actor=actor, section=1, raw={"request_detail": detail}
    )
    intake.save_section(
        application=application, actor=actor, section=2, raw={"delivery_method": "window"}
    )
    for material in intake.required_materials(application):
        intake.attach_file(
            application=application,
            actor=actor,
            material_id=material.pk,
            uploaded=pdf("申请书.pdf"),
        )
    application.refresh_from_db()
    return application


def submit_application(owner, item, **kwargs):
    """Start, fill both sections, attach a PDF to every required material and submit."""
    from tongban.applications import actions as intake

    application = intake.start_application(owner=owner, service_item=item, channel="pc", **kwargs)
    fill_application(application, owner)
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


def approved_and_completed(citizen, team, item):
    """A 承诺件 submitted on 2026-09-21, accepted the next day, approved on the 23rd and completed
    出证办结 on the 28th: the licence it issued."""
    from tongban.cases import actions as cases
    from tongban.licences.models import Licence

    with at(datetime.date(2026, 9, 21)):
        application = submit_application(citizen, item)
    with at(datetime.date(2026, 9, 22)):
        cases.accept(application=application, actor=team["clerk"])
    with at(datetime.date(2026, 9, 23)):
        approve_all(application, team)
    with at(datetime.date(2026, 9, 28)):
        cases.complete(application=application, actor=team["clerk"])
    return Licence.objects.get(application=application)


def waiving_item(department, team, licence_type_name):
    """A published item whose first material an e-licence of `licence_type_name` replaces."""
    from tongban.catalog import actions as catalog
    from tongban.testing.catalog import complete_item

    with at(datetime.date(2026, 9, 1)):
        item, draft = complete_item(
            department, code="010101009000", name="卫生许可延续", materials=2, handling_type="2"
        )
        first = draft.materials.order_by("order", "pk").first()
        first.replaceable_by_licence_type = licence_type_name
        first.save()
        catalog.publish(actor=team["catalogue"], version=draft)
    item.refresh_from_db()
    return item, first
