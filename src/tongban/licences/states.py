"""The status table of a licence version: the moves allowed and who may make them.

STAFF moves need a staff member of the issuing department with one of the roles listed; SYSTEM
moves are made by the platform itself (a nightly job, a case's 出证办结). A move not listed is
refused, so a revoked, cancelled or replaced version never comes back.
"""

from tongban.accounts.roles import Role
from tongban.core import statemachine
from tongban.licences.models import Licence

S = Licence.Status
SYSTEM = statemachine.SYSTEM
CHANGERS = (Role.HANDLER, Role.APPROVER)

# (from, to) → roles of the issuing department that may make the move (SYSTEM: the platform).
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    (S.VALID, S.EXPIRED): (SYSTEM,),
    # 变更 / 延续: a new version replaces this one (a case's 出证办结 or the department directly).
    (S.VALID, S.REPLACED): (SYSTEM, *CHANGERS),
    (S.EXPIRED, S.REPLACED): (SYSTEM, *CHANGERS),
    # 撤销 (行政许可法 art. 69) is a decision of the organ: the approver signs it.
    (S.VALID, S.REVOKED): (Role.APPROVER,),
    (S.EXPIRED, S.REVOKED): (Role.APPROVER,),
    # 注销 (art. 70) records that the licence has ended: on request, not renewed, holder gone.
    (S.VALID, S.CANCELLED): (SYSTEM, *CHANGERS),
    (S.EXPIRED, S.CANCELLED): (SYSTEM, *CHANGERS),
}


def _history_row(licence, before, after, *, actor=None, reason="", **facts):
    from tongban.licences.models import LicenceStatusChange

    return LicenceStatusChange.objects.create(
        licence=licence, from_status=before, to_status=after, reason=reason, actor=actor, **facts
    )


LICENCE = statemachine.register(
    statemachine.Machine(
        name="licences.licence",
        model="licences.Licence",
        states=S,
        table=TRANSITIONS,
        noun="证照",
        history=_history_row,
    )
)


def allowed_roles(current: str, target: str) -> tuple[str, ...]:
    return tuple(sorted(LICENCE.actors(current, target)))
