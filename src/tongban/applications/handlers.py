"""Intake's reactions to the licence domain's events (subscribed in ApplicationsConfig.ready)."""

from tongban.applications.models import Application, TimelineEvent
from tongban.licences.events import LicenceCancelled, LicenceIssued

VERSION_LABELS = {"change": "变更", "renew": "延续"}


def show_licence_on_timeline(event: LicenceIssued) -> None:
    """出证办结: in the issuing transaction, the applicant's timeline says where the licence is."""
    if event.application_id is None:
        return
    label = VERSION_LABELS.get(event.change_kind)
    if label is None:
        action = "签发电子证照"
        opinion = f"已签发{event.licence_type_name}（证照标识 {event.identifier}），"
    else:
        action = f"{label}电子证照"
        opinion = (
            f"已签发{event.licence_type_name}第 {event.version} 版（证照标识 {event.identifier}），"
            f"替代原第 {event.version - 1} 版，原版本自即日起不再有效。"
        )
    _timeline(
        event.application_id, event.issuer_id, action, opinion + "可在“我的证照”中查看和下载。"
    )


def show_cancellation_on_timeline(event: LicenceCancelled) -> None:
    """A 注销 case's 办结 ended the licence: the applicant's timeline says so."""
    if event.application_id is not None:
        _timeline(
            event.application_id,
            event.issuer_id,
            "注销电子证照",
            f"已注销{event.licence_type_name}（证照标识 {event.identifier}）。",
        )


def find_case(case_number: str):
    """The application with this case number (for the licence lookup made while handling it)."""
    return (
        Application.objects.select_related("service_item", "item_version")
        .filter(case_number=case_number)
        .first()
    )


def _timeline(application_id: int, department_id: int, action: str, opinion: str) -> None:
    TimelineEvent.objects.create(
        application_id=application_id,
        department_id=department_id,
        action=action,
        opinion=opinion,
        is_public=True,
        actor_label="系统",
    )
