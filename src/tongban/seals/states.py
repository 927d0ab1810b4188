"""The status machine of an e-seal. A seal is replaced (更换: a new key pair under a new row) or
revoked (注销); a replaced seal can still be revoked, a revoked one never comes back. 已过期 is
derived from the end date (Seal.effective_status), never stored, so no move leads to it."""

from tongban.core import statemachine
from tongban.seals.models import Seal

S = Seal.Status
KEEPER = "seal_keeper"  # the platform administrator who keeps the department's seals

TRANSITIONS = {
    (S.ACTIVE, S.ROTATED): {KEEPER},
    (S.EXPIRED, S.ROTATED): {KEEPER},
    (S.ACTIVE, S.REVOKED): {KEEPER},
    (S.EXPIRED, S.REVOKED): {KEEPER},
    (S.ROTATED, S.REVOKED): {KEEPER},
}

SEAL = statemachine.register(
    statemachine.Machine(
        name="seals.seal",
        model="seals.Seal",
        states=S,
        table=TRANSITIONS,
        noun="印章",
    )
)
