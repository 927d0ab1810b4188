"""Case handling's reactions to the intake domain's events (subscribed in CasesConfig.ready)."""

from tongban.applications.events import ApplicationResubmitted
from tongban.cases import actions


def answer_correction(event: ApplicationResubmitted) -> None:
    """In the resubmission's transaction: the open 补正告知 counts as answered."""
    actions.resolve_corrections(event.application_id)
