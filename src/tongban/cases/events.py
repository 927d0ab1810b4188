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


@events.declare("case.correction_requested")
@dataclass(frozen=True)
class CaseCorrectionRequested:
    """补正告知 (一次性告知): the application waits for the applicant's correction."""

    application_id: int
    case_number: str
    department_id: int
    respond_by: str  # ISO date


@events.declare("case.suspension_ended")
@dataclass(frozen=True)
class CaseSuspensionEnded:
    """特别程序结束: the clock runs again; `working_days` were not counted (0 when the procedure
    does not stop the clock)."""

    application_id: int
    case_number: str
    department_id: int
    working_days: int


@events.declare("case.refused")
@dataclass(frozen=True)
class CaseRefused:
    """不予受理: the application ends without a case."""

    application_id: int
    case_number: str
    department_id: int
