"""The status machine of a rule-set version: written as a draft, published once, withdrawn when
it no longer applies. Nothing else is allowed (a published version is never edited)."""

from tongban.core import statemachine
from tongban.rules.models import RuleSetVersion

S = RuleSetVersion.Status
AUTHOR, SYSTEM = "author", statemachine.SYSTEM  # the department's catalogue administrator

# (from, to) → who may make the move.
TRANSITIONS = {
    (S.DRAFT, S.PUBLISHED): {AUTHOR, SYSTEM},
    (S.PUBLISHED, S.WITHDRAWN): {AUTHOR, SYSTEM},
}
REFUSED = "版本状态不能从“%(before)s”变为“%(after)s”"


def _history_row(version, before, after, *, actor=None, reason=""):
    from tongban.rules.models import RuleSetVersionEvent

    return RuleSetVersionEvent.objects.create(
        version=version, from_status=before, to_status=after, actor=actor, note=reason
    )


VERSION = statemachine.register(
    statemachine.Machine(
        name="rules.version",
        model="rules.RuleSetVersion",
        states=S,
        table=TRANSITIONS,
        noun="规则版本",
        history=_history_row,
    )
)


def allowed(current: str, target: str) -> bool:
    return VERSION.allows(current, target)
