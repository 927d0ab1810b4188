"""The status machine of a recognition (材料识别): the worker takes a queued document, reads it and
records the outcome; the person who asked confirms what was offered. A failed or confirmed
recognition never moves again (a new upload makes a new recognition)."""

from tongban.core import statemachine
from tongban.ocr.models import Recognition, RecognitionEvent

S = Recognition.Status
SYSTEM = statemachine.SYSTEM
PERSON = "requester"  # the citizen who uploaded or the clerk who scanned

TRANSITIONS = {
    (S.QUEUED, S.RUNNING): {SYSTEM},
    (S.QUEUED, S.FAILED): {SYSTEM},
    (S.RUNNING, S.DONE): {SYSTEM},
    (S.RUNNING, S.FAILED): {SYSTEM},
    (S.DONE, S.CONFIRMED): {PERSON},
}


def _history_row(recognition, before, after, *, actor=None, reason=""):
    return RecognitionEvent.objects.create(
        recognition=recognition, from_status=before, to_status=after, note=reason[:200]
    )


RECOGNITION = statemachine.register(
    statemachine.Machine(
        name="ocr.recognition",
        model="ocr.Recognition",
        states=S,
        table=TRANSITIONS,
        noun="识别",
        history=_history_row,
        audit_prefix="ocr.",
    )
)
