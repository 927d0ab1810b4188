"""Post-submission work as a persisted, idempotent pipeline (ARCHITECTURE pattern 6).

Submission commits the application and its PipelineStep rows together, then queues one Celery task
that runs the steps in order. A step runs under a row lock and is skipped once done, so a
redelivered task (worker killed mid-step: tasks are acknowledged late) or the sweeper running it
again cannot do the work twice.
Failures are retried on a schedule; after the last attempt the step is given up and shows in the
admin, where it can be run again.
"""

import datetime
import logging

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tongban.applications.audit_actions import AuditAction
from tongban.applications.models import Application, PipelineStep
from tongban.applications.states import ADMIN, PIPELINE_STEP, SYSTEM
from tongban.core import audit, statemachine

log = logging.getLogger(__name__)
BACKOFF_MINUTES = [1, 5, 30, 120, 720]
SWEEP_GRACE = datetime.timedelta(
    minutes=2
)  # a queued step not run by then is picked up by the sweeper


def _make_receipt(application: Application) -> None:
    from tongban.applications import receipt

    receipt.create_receipt(application)


def _notify_applicant(application: Application) -> None:
    from django.urls import reverse

    from tongban.notify import actions as notify

    notify.send(
        application.owner,
        "application.submitted",
        {
            "case_number": application.case_number,
            "item_name": application.item_version.name,
            "department": application.service_item.department.name,
        },
        related=application,
        link=reverse("applications:draft", args=[application.public_id]),
    )


HANDLERS = {PipelineStep.Kind.RECEIPT: _make_receipt, PipelineStep.Kind.NOTIFY: _notify_applicant}


def schedule(application_id: int) -> None:
    """Queue the application's steps (called after the submission commits): one task runs them
    all in order, so a submission costs the broker and the worker one message, not one per step.
    The steps were written due for the sweeper already, in case this message is lost."""
    run_pipeline.delay(application_id)


# What the steps read of the application: loaded once with the locked steps.
APPLICATION_RELATIONS = (
    "service_item__department",
    "item_version",
    "handling_item",
    "owner",
)


def execute(step_id: int) -> str:
    """Run one step if it still needs running; returns its state afterwards."""
    with transaction.atomic():
        step = (
            PipelineStep.objects.select_for_update(of=("self",))
            .select_related(*(f"application__{path}" for path in APPLICATION_RELATIONS))
            .get(pk=step_id)
        )
        return _run(step)


def _run(step: PipelineStep) -> str:
    """Run a step locked by the caller unless it is finished; its own writes roll back alone if
    it fails, and the failure is recorded for the sweeper's retries."""
    if step.state in (PipelineStep.State.DONE, PipelineStep.State.GIVEN_UP):
        return step.state
    step.attempts += 1
    try:
        with transaction.atomic():
            HANDLERS[step.kind](step.application)
    except Exception as exc:  # any failure is recorded and retried; the type says what it was
        _record_failure(step, exc)
    else:
        _move(step, PipelineStep.State.DONE, SYSTEM)
        step.done_at, step.next_attempt_at, step.last_error = timezone.now(), None, ""
    step.save()
    return step.state


def _move(step: PipelineStep, target: str, kind: str) -> None:
    """Move the step through its table (applications.states.PIPELINE_STEP); the caller saves it
    with the other fields it sets. The step has no history table, and its audit records (given
    up, run again) name the application, as the admin's audit trail shows them: they are
    written by the callers, not by the machine."""
    statemachine.transition(
        step, target, actor_kind=kind, machine=PIPELINE_STEP, save=False, write_audit=False
    )


def _record_failure(step: PipelineStep, exc: Exception) -> None:
    log.warning(
        "pipeline step %s (%s) of application %s failed: %s",
        step.pk,
        step.kind,
        step.application_id,
        type(exc).__name__,
    )
    step.last_error = f"{type(exc).__name__}: {str(exc)[:250]}"
    if step.attempts > len(BACKOFF_MINUTES):
        _move(step, PipelineStep.State.GIVEN_UP, SYSTEM)
        step.next_attempt_at = None
        audit.record(
            AuditAction.PIPELINE_GIVEN_UP,
            obj=step.application,
            detail={"step": step.kind, "attempts": step.attempts},
        )
    else:
        _move(step, PipelineStep.State.FAILED, SYSTEM)
        step.next_attempt_at = timezone.now() + datetime.timedelta(
            minutes=BACKOFF_MINUTES[step.attempts - 1]
        )


@transaction.atomic
def rerun(step_id: int, actor) -> None:
    """An administrator runs a given-up or failed step again."""
    step = PipelineStep.objects.select_for_update().get(pk=step_id)
    if step.state == PipelineStep.State.DONE:
        return
    _move(step, PipelineStep.State.PENDING, ADMIN)
    step.attempts, step.next_attempt_at = 0, timezone.now()
    step.save(update_fields=["state", "attempts", "next_attempt_at"])
    audit.record(
        AuditAction.PIPELINE_RERUN, actor=actor, obj=step.application, detail={"step": step.kind}
    )
    transaction.on_commit(lambda: run_step.delay(step_id))


@shared_task(name="tongban.applications.run_pipeline")
def run_pipeline(application_id: int) -> list[str]:
    """Every step of the application that is not done yet, receipt first, in one transaction
    that locks them together and reads the application once: a failed step is left to the
    sweeper's retries and does not hold the others back."""
    order = {kind: position for position, kind in enumerate(PipelineStep.Kind.values)}
    with transaction.atomic():
        waiting = list(
            PipelineStep.objects.select_for_update(of=("self",))
            .filter(application_id=application_id)
            .exclude(state__in=[PipelineStep.State.DONE, PipelineStep.State.GIVEN_UP])
            .order_by("pk")
        )
        if not waiting:
            return []
        application = Application.objects.select_related(*APPLICATION_RELATIONS).get(
            pk=application_id
        )
        states = []
        for step in sorted(waiting, key=lambda step: order[step.kind]):
            step.application = application
            states.append(_run(step))
        return states


@shared_task(name="tongban.applications.run_step")
def run_step(step_id: int) -> str:
    """One step: an administrator's re-run (and messages queued before run_pipeline existed)."""
    return execute(step_id)


@shared_task(name="tongban.applications.sweep_pipeline")
def sweep_pipeline() -> int:
    """Every minute: run steps that are due — retries, and queued steps whose task was lost."""
    due = PipelineStep.objects.filter(
        Q(state=PipelineStep.State.FAILED) | Q(state=PipelineStep.State.PENDING),
        next_attempt_at__lte=timezone.now(),
    ).values_list("pk", flat=True)[:200]
    count = 0
    for step_id in due:
        execute(step_id)
        count += 1
    return count
