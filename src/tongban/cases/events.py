"""The events case handling publishes (core.events; listed in docs/events.md)."""

from dataclasses import dataclass

from tongban.core import events


@events.declare("case.accepted")
@dataclass(frozen=True)
class CaseAccepted:
    """受理: by the window, or deemed accepted by the system after the statutory days."""

    application_id: int
    case_number: str
    department_id: int
    accepted_on: str  # ISO date
    deemed: bool


@events.declare("case.completed")
@dataclass(frozen=True)
class CaseCompleted:
    """办结, by staff or by the system; `result` is the national completion result code."""

    application_id: int
    case_number: str
    department_id: int
    result: str
