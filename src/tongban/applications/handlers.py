"""Intake's reactions to the licence domain's events (subscribed in ApplicationsConfig.ready)."""

from tongban.applications.models import TimelineEvent
from tongban.licences.events import LicenceIssued


def show_licence_on_timeline(event: LicenceIssued) -> None:
    """出证办结: in the issuing transaction, the applicant's timeline says where the licence is."""
    if event.application_id is None:
        return
    TimelineEvent.objects.create(
        application_id=event.application_id,
        department_id=event.issuer_id,
        action="签发电子证照",
        opinion=(
            f"已签发{event.licence_type_name}（证照标识 {event.identifier}），"
            "可在“我的证照”中查看和下载。"
        ),
        is_public=True,
        actor_label="系统",
    )
