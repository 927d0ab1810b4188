"""The status machine of one delivery (a message on one channel). Only the platform moves it: a
worker claims a due delivery (发送中, under a lease a dead worker's claim expires from), then
records the outcome. Sending again makes a new delivery; an ended one never moves."""

from tongban.core import statemachine
from tongban.notify.models import Delivery

S = Delivery.Status
SYSTEM = statemachine.SYSTEM

TRANSITIONS = {
    (S.PENDING, S.SENDING): {SYSTEM},
    (S.FAILED, S.SENDING): {SYSTEM},
    (S.SENDING, S.SENDING): {SYSTEM},  # the lease ran out: another worker takes it over
    (S.SENDING, S.SENT): {SYSTEM},
    (S.SENDING, S.FAILED): {SYSTEM},
    (S.SENDING, S.SKIPPED): {SYSTEM},
    (S.SENDING, S.GIVEN_UP): {SYSTEM},
}

DELIVERY = statemachine.register(
    statemachine.Machine(
        name="notify.delivery",
        model="notify.Delivery",
        states=S,
        table=TRANSITIONS,
        noun="发送记录",
    )
)
