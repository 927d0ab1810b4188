"""好差评's reactions to case handling's events (subscribed in RatingsConfig.ready)."""

from tongban.applications.models import Application
from tongban.cases.events import CaseCompleted
from tongban.ratings import actions


def invite_to_rate(event: CaseCompleted) -> None:
    """一事一评: in the completion's transaction, invite the applicant to rate the case."""
    application = Application.objects.select_related(
        "owner", "item_version", "service_item__department"
    ).get(pk=event.application_id)
    actions.invite_after_completion(application)
