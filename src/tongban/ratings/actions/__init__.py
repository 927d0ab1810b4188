"""The 好差评 service layer, by subject: invitations, ratings (online, hall, SMS reply), follow-ups,
and the handling of bad ratings (assign → verify with a callback → fix / ledger / explain / appeal).

Every move locks its row, checks the transition (ratings.states.BAD_CASE) and the actor's role and
department, writes in one transaction with a history row and an audit record, and notifies.
Callers import from `tongban.ratings.actions` (everything is re-exported here) or the subject module.
"""

from tongban.ratings.actions.common import (
    DEPARTMENT_ROLES,
    SMS_PROMPT,
    SMS_THANKS,
    TEXT_MAX,
    VISIT_TOKEN_DAYS,
    _clean,
    _context_for,
    _create,
    _later_sms,
    _official,
    follow_up_days,
    handling_staff,
    rectify_working_days,
)
from tongban.ratings.actions.deadlines import (
    WARNING_EVENTS,
    YELLOW_WORKING_DAYS,
    days_left,
    raise_rectification_warnings,
)
from tongban.ratings.actions.invitations import (
    invite_after_completion,
    start_hall_visit,
)
from tongban.ratings.actions.rating import (
    follow_up,
    follow_up_open_until,
    rate_case,
    rate_visit,
)
from tongban.ratings.actions.rectification import (
    REFUSED,
    _department_people,
    _history,
    _locked,
    _move,
    _notify_staff,
    _open_bad_case,
    _require_department,
    _required,
    _supervisors,
    _tell_rater,
    can_handle,
    classify,
    decide_appeal,
    rate_rectification,
    record_callback,
    rectification_rating_open,
    rectify,
    verify,
)
from tongban.ratings.actions.sms_reply import (
    _digit,
    receive_sms,
)

__all__ = [
    "DEPARTMENT_ROLES",
    "REFUSED",
    "SMS_PROMPT",
    "SMS_THANKS",
    "TEXT_MAX",
    "VISIT_TOKEN_DAYS",
    "WARNING_EVENTS",
    "YELLOW_WORKING_DAYS",
    "_clean",
    "_context_for",
    "_create",
    "_department_people",
    "_digit",
    "_history",
    "_later_sms",
    "_locked",
    "_move",
    "_notify_staff",
    "_official",
    "_open_bad_case",
    "_require_department",
    "_required",
    "_supervisors",
    "_tell_rater",
    "can_handle",
    "classify",
    "days_left",
    "decide_appeal",
    "follow_up",
    "follow_up_days",
    "follow_up_open_until",
    "handling_staff",
    "invite_after_completion",
    "raise_rectification_warnings",
    "rate_case",
    "rate_rectification",
    "rate_visit",
    "receive_sms",
    "record_callback",
    "rectification_rating_open",
    "rectify",
    "rectify_working_days",
    "start_hall_visit",
    "verify",
]
