"""The events the intake domain publishes (core.events; listed in docs/events.md)."""

from dataclasses import dataclass

from tongban.core import events


@events.declare("application.submitted")
@dataclass(frozen=True)
class ApplicationSubmitted:
    """A new application was submitted (网上申报 or 窗口代办) and has its case number."""

    application_id: int
    case_number: str
    service_item_id: int
    department_id: int
    channel: str


@events.declare("application.resubmitted")
@dataclass(frozen=True)
class ApplicationResubmitted:
    """The applicant resubmitted after a 补正告知: the open correction notice is answered."""

    application_id: int
    case_number: str
