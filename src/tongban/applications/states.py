"""The 办件 status table: one status per application from draft to 办结, and the moves allowed.

Intake (applications.actions) makes the moves up to submission and withdrawal; case handling
(cases.actions) the moves after it. Some moves only the system makes: deemed acceptance
(行政许可法 art. 32), closing a correction that was never answered, ending a 容缺受理 case
whose deferred material never came, and 智能秒批 (an instant approval after every clause of the
item's published rule set passed: accepted, approved and completed by the system). A move not listed is refused.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core import statemachine


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待受理")
    CORRECTION = "correction", _("待补正")
    ACCEPTED = "accepted", _("已受理，审查中")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    APPROVED = "approved", _("准予许可，待办结")
    DENIED = "denied", _("不予许可，待办结")
    COMPLETED = "completed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")
    DISCARDED = "discarded", _("草稿已删除")
    REVOKED = "revoked", _("许可已撤销")


APPLICANT, STAFF, SYSTEM = "applicant", "staff", "system"

# (from, to) → who may make the move.
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (Status.DRAFT, Status.SUBMITTED): {APPLICANT, STAFF},
    (Status.DRAFT, Status.DISCARDED): {APPLICANT},
    (Status.SUBMITTED, Status.WITHDRAWN): {APPLICANT},
    (Status.SUBMITTED, Status.ACCEPTED): {STAFF, SYSTEM},  # SYSTEM: deemed acceptance, art. 32
    (Status.SUBMITTED, Status.NOT_ACCEPTED): {STAFF},
    (Status.SUBMITTED, Status.CORRECTION): {STAFF},
    (Status.CORRECTION, Status.SUBMITTED): {APPLICANT, STAFF},  # corrected: acceptance starts again
    (Status.CORRECTION, Status.WITHDRAWN): {APPLICANT},
    (Status.CORRECTION, Status.COMPLETED): {SYSTEM},  # 补交逾期办结
    (Status.ACCEPTED, Status.APPROVED): {STAFF, SYSTEM},  # SYSTEM: 智能秒批, every rule passed
    (Status.ACCEPTED, Status.DENIED): {STAFF, SYSTEM},  # SYSTEM: 容缺 material not supplied in time
    (Status.APPROVED, Status.COMPLETED): {STAFF, SYSTEM},  # SYSTEM: 智能秒批 出证办结
    (Status.DENIED, Status.COMPLETED): {STAFF, SYSTEM},  # SYSTEM: 补交逾期办结
    # 告知承诺 found false after the decision: the licence granted on it is revoked.
    (Status.APPROVED, Status.REVOKED): {STAFF},
    (Status.COMPLETED, Status.REVOKED): {STAFF},
}


def _status_change(application, before, after, *, actor=None, reason=""):
    """The history row of every move: who, from what to what, and why (StatusChange)."""
    from tongban.applications.models import StatusChange

    return StatusChange.objects.create(
        application=application,
        from_status=before,
        to_status=after,
        actor=actor if getattr(actor, "pk", None) else None,
        note=(reason or "")[:300],
    )


APPLICATION = statemachine.register(
    statemachine.Machine(
        name="applications.application",
        model="applications.Application",
        states=Status,
        table=TRANSITIONS,
        noun="办件",
        history=_status_change,
    )
)


def allowed(current: str, target: str, actor_kind: str) -> bool:
    return APPLICATION.allows(current, target, actor_kind)


# Statuses in which the applicant may still change the form and materials.
EDITABLE = {Status.DRAFT, Status.CORRECTION}
# Statuses in which the case is being handled and the clock runs.
IN_HANDLING = {Status.ACCEPTED}


# --- 提交后处理步骤 (PipelineStep.state) -----------------------------------------------------------
# The pipeline runs a step (SYSTEM): it is done, or fails and waits for its retry, or is given
# up after the last retry. A platform administrator runs a failed, given-up or still waiting step
# again from the admin (ADMIN): it starts over as pending. A done step is never run again.
ADMIN = "admin"


class StepState(models.TextChoices):
    PENDING = "pending", "待执行"
    DONE = "done", "已完成"
    FAILED = "failed", "失败待重试"
    GIVEN_UP = "given_up", "已放弃"


Step = StepState

PIPELINE_STEP = statemachine.register(
    statemachine.Machine(
        name="applications.pipeline_step",
        model="applications.PipelineStep",
        states=Step,
        field="state",
        table={
            (Step.PENDING, Step.DONE): {SYSTEM},
            (Step.PENDING, Step.FAILED): {SYSTEM},
            (Step.FAILED, Step.DONE): {SYSTEM},
            (Step.FAILED, Step.FAILED): {SYSTEM},  # a retry failed again: the next one is due
            (Step.FAILED, Step.GIVEN_UP): {SYSTEM},  # the last retry failed
            (Step.PENDING, Step.PENDING): {ADMIN},  # run again: attempts start from 0
            (Step.FAILED, Step.PENDING): {ADMIN},
            (Step.GIVEN_UP, Step.PENDING): {ADMIN},
        },
        noun=_("提交后处理步骤"),
        # No audit prefix: a run that succeeds or fails is not audited; giving up and running
        # again are (PIPELINE_GIVEN_UP, PIPELINE_RERUN), on the application, by pipeline.py.
    )
)


# --- 告知承诺与容缺 (MaterialCommitment.state) ------------------------------------------------------
# Signed at intake; closed once: the applicant supplies a 容缺 material (APPLICANT), the department
# checks a 告知承诺 and finds it true or false (STAFF), or the daily job finds a 容缺 material
# overdue and ends the case (SYSTEM). A closed commitment never moves again.


class CommitmentState(models.TextChoices):
    SIGNED = "signed", _("已承诺")
    SUPPLIED = "supplied", _("已补交")
    OVERDUE = "overdue", _("逾期未补交")
    VERIFIED = "verified", _("核查属实")
    FALSE = "false", _("承诺不实")


Commitment = CommitmentState

COMMITMENT = statemachine.register(
    statemachine.Machine(
        name="applications.commitment",
        model="applications.MaterialCommitment",
        states=CommitmentState,
        field="state",
        table={
            (Commitment.SIGNED, Commitment.SUPPLIED): {APPLICANT},  # 容缺后补
            (Commitment.SIGNED, Commitment.VERIFIED): {STAFF},  # 告知承诺 核查属实
            (Commitment.SIGNED, Commitment.FALSE): {STAFF},  # 告知承诺 核查不实
            (Commitment.SIGNED, Commitment.OVERDUE): {SYSTEM},  # 补交逾期
        },
        noun=_("承诺"),
        # No audit prefix: supplying and falling overdue are audited by name
        # (COMMITMENT_SUPPLIED, COMMITMENT_OVERDUE); the check is cases' VERIFY_COMMITMENT.
    )
)


# --- 申请表单 (ApplicationForm.status) ------------------------------------------------------------
# A form version is created published (applications.actions.publish_form) and is never edited;
# when the item's next version is published, the service layer retires it (SYSTEM: the
# consequence of publishing, whoever published). A retired version is never published again:
# applications made under it keep pointing at it.


class FormStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


FORM = statemachine.register(
    statemachine.Machine(
        name="applications.form",
        model="applications.ApplicationForm",
        states=FormStatus,
        table={(FormStatus.PUBLISHED, FormStatus.RETIRED): {SYSTEM}},
        noun=_("申请表单"),
        # No audit prefix: retiring is audited by name (FORM_RETIRED), next to PUBLISH_FORM.
    )
)
