"""The case-handling service layer, by subject: acceptance, correction, review steps, the clock
(special procedures and extension), decision/completion/delivery, supervision and warnings.

Every function locks the application row, moves its status through the one table
(applications.states, core.statemachine) via `cases.handling.move`, checks role and department,
writes in one transaction with history (StatusChange, TimelineEvent, ReviewStep …) and an audit
record, issues the sealed document the law requires (its text in `cases.notices`), and tells the
applicant where the step is public. Every public name is importable from `tongban.cases.actions`.
"""

from tongban.cases.actions.acceptance import (
    accept,
    accepted,
    apply_deemed_acceptance,
    deemed_acceptance_due,
    refusal_errors,
    refuse,
    start_clock,
)
from tongban.cases.actions.corrections import (
    close_unanswered_corrections,
    has_correction_notice,
    open_correction,
    request_correction,
    resolve_corrections,
)
from tongban.cases.actions.decision import (
    complete,
    decide,
    decide_immediately,
    finish,
    register_delivery,
)
from tongban.cases.actions.steps import complete_step, reassign
from tongban.cases.actions.supervision import (
    answer_supervision,
    people_for,
    raise_warnings,
    scan_deadline,
    supervise,
)
from tongban.cases.actions.timing import (
    end_suspension,
    extend,
    handling_case,
    refresh_due,
    start_suspension,
)
from tongban.cases.handling import ACCEPTANCE_WORKING_DAYS, DELIVERY_WORKING_DAYS

__all__ = [
    "ACCEPTANCE_WORKING_DAYS",
    "DELIVERY_WORKING_DAYS",
    "accept",
    "accepted",
    "answer_supervision",
    "apply_deemed_acceptance",
    "close_unanswered_corrections",
    "complete",
    "complete_step",
    "decide",
    "decide_immediately",
    "deemed_acceptance_due",
    "end_suspension",
    "extend",
    "finish",
    "handling_case",
    "has_correction_notice",
    "open_correction",
    "people_for",
    "raise_warnings",
    "reassign",
    "refresh_due",
    "refusal_errors",
    "refuse",
    "register_delivery",
    "request_correction",
    "resolve_corrections",
    "scan_deadline",
    "start_clock",
    "start_suspension",
    "supervise",
]
