"""The status machines of policies, their matching runs, matches, payment batches and lines, and
objections: each transition table declared once for the core state machine
(tongban.core.statemachine), which the service layer (actions/) moves them through.

Actor kinds: AUTHOR (the department's catalogue administrator, who writes and publishes
policies), PAYER (staff preparing, exporting and reconciling payments), ANSWERER (staff answering
objections), SUBJECT (the person or enterprise a match is for) and SYSTEM (matching runs, beat
tasks, the finance bureau's reconciliation file).
"""

from tongban.core import statemachine
from tongban.core.statemachine import SYSTEM
from tongban.policies.models import Match, MatchRun, Objection, PaymentBatch, PaymentLine, Policy

AUTHOR, PAYER, ANSWERER, SUBJECT = "author", "payer", "answerer", "subject"

P, R, M = Policy.Status, MatchRun.Status, Match.Status
B, L, OB = PaymentBatch.Status, PaymentLine.Status, Objection.Status


def _policy_history(policy, before, after, *, actor=None, reason=""):
    from tongban.policies.models import PolicyEvent

    return PolicyEvent.objects.create(
        policy=policy, from_status=before, to_status=after, actor=actor, note=reason[:500]
    )


POLICY = statemachine.register(
    statemachine.Machine(
        name="policies.policy",
        model="policies.Policy",
        states=P,
        table={
            # SYSTEM: the demo loader and seeds publish the shipped policies
            (P.DRAFT, P.PUBLISHED): {AUTHOR, SYSTEM},
            (P.PUBLISHED, P.SUSPENDED): {AUTHOR, SYSTEM},
            (P.SUSPENDED, P.PUBLISHED): {AUTHOR, SYSTEM},
            (P.PUBLISHED, P.EXPIRED): {AUTHOR, SYSTEM},  # ended by staff or past its last day
            (P.SUSPENDED, P.EXPIRED): {AUTHOR, SYSTEM},
        },
        noun="政策",
        history=_policy_history,
        audit_prefix="policies.policy.",
    )
)

MATCH_RUN = statemachine.register(
    statemachine.Machine(
        name="policies.match_run",
        model="policies.MatchRun",
        states=R,
        table={(R.RUNNING, R.DONE): {SYSTEM}, (R.RUNNING, R.FAILED): {SYSTEM}},
        noun="匹配批次",
        audit_prefix="policies.run.",
    )
)


def kind(actor, role: str) -> str:
    """The actor kind of a move: `role` for a person, SYSTEM for actor None (runs, beat tasks,
    the demo loader)."""
    return SYSTEM if actor is None else role


ACTIVE = (M.OFFERED, M.CONFIRMED, M.AUTOMATIC, M.NOTIFIED)
MATCH = statemachine.register(
    statemachine.Machine(
        name="policies.match",
        model="policies.Match",
        states=M,
        table={
            (M.OFFERED, M.CONFIRMED): {SUBJECT},  # 一键确认
            (M.OFFERED, M.DECLINED): {SUBJECT},
            # a matching run: no longer eligible, and eligible again (as a new offer)
            **{(state, M.LAPSED): {SYSTEM} for state in ACTIVE},
            (M.LAPSED, M.OFFERED): {SYSTEM},
            (M.LAPSED, M.AUTOMATIC): {SYSTEM},
            (M.LAPSED, M.NOTIFIED): {SYSTEM},
        },
        noun="政策匹配",
        audit_prefix="policies.offer.",
    )
)

BATCH = statemachine.register(
    statemachine.Machine(
        name="policies.payment_batch",
        model="policies.PaymentBatch",
        states=B,
        table={
            (B.PREPARED, B.EXPORTED): {PAYER, SYSTEM},
            (B.EXPORTED, B.EXPORTED): {PAYER, SYSTEM},  # exported again after corrections
            # the reconciliation file, imported by staff, settled every line
            (B.EXPORTED, B.RECONCILED): {PAYER, SYSTEM},
            # a corrected failure goes out again (staff, or the subject's new account)
            (B.RECONCILED, B.EXPORTED): {PAYER, SUBJECT, SYSTEM},
        },
        noun="发放批次",
        audit_prefix="policies.batch.",
    )
)

LINE = statemachine.register(
    statemachine.Machine(
        name="policies.payment_line",
        model="policies.PaymentLine",
        states=L,
        table={
            (L.PENDING, L.PAID): {PAYER, SYSTEM},  # the reconciliation file
            (L.PENDING, L.FAILED): {PAYER, SYSTEM},
            # corrected (by staff, or the subject entered a new account), paid in the same line
            (L.FAILED, L.PENDING): {PAYER, SUBJECT, SYSTEM},
            (L.SUSPENDED, L.PENDING): {PAYER, SYSTEM},  # budget raised
        },
        noun="发放明细",
        audit_prefix="policies.line.",
    )
)

OBJECTION = statemachine.register(
    statemachine.Machine(
        name="policies.objection",
        model="policies.Objection",
        states=OB,
        table={(OB.OPEN, OB.ANSWERED): {ANSWERER, SYSTEM}},
        noun="异议",
        audit_prefix="policies.objection.",
    )
)
