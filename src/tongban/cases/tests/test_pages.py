import datetime

import pytest
from django.urls import reverse

from tongban.testing.builders import submit_application
from tongban.testing.clock import at

pytestmark = pytest.mark.django_db
D = datetime.date


# The citizen's case page: user, the application with its case and receipt in one query, the
# header's unread count, timeline, documents, files and commitments; on the embedded database the
# session is read and saved with three more (13 when the case and receipt were read separately).
CITIZEN_CASE_PAGE_QUERIES = 12  # +1: the 智能秒批 outcome (applications.instant_view)


def test_clerk_sees_the_queue_and_accepts_from_the_case_page(
    client, citizen, team, promise_item, django_assert_max_num_queries
):
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
    with at(D(2026, 9, 24)):
        client.force_login(team["clerk"])
        queue = client.get(reverse("cases:list") + "?tab=accept").content.decode()
        assert application.case_number in queue
        assert citizen.citizen.id_number not in queue and "示例老人" not in queue  # masked: 示****
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
        assert (
            "受理并签发受理通知书" in page and "2026-09-29" in page
        )  # 5 working days after 9/21: 9/25 is 中秋
        client.post(reverse("cases:act", args=[application.public_id, "accept"]))
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
    assert "2026-10-09" in page  # promised due date, computed by hand
    client.force_login(citizen)
    with django_assert_max_num_queries(CITIZEN_CASE_PAGE_QUERIES) as queries:
        mine = client.get(reverse("applications:draft", args=[application.public_id]))
    mine = mine.content.decode()
    # Everything the page shows of the application and its case came with the one narrow read
    # (views.CASE_PAGE_FIELDS); a field left out of it would be read again on its own.
    reads = [q for q in queries.captured_queries if 'FROM "applications_application"' in q["sql"]]
    assert len(reads) == 1
    assert not [q for q in queries.captured_queries if 'FROM "cases_case"' in q["sql"]]
    document = application.case.documents.get()
    assert reverse("cases:document", args=[application.public_id, document.pk]) in mine
    assert "2026-10-09" in mine  # promised due date
    assert "2026-09-24" in mine  # accepted on
    for shown in (
        application.case_number,
        application.applicant_name,
        application.service_item.department.name,
        application.item_version.name,
        application.get_channel_display(),
        "已受理",
    ):
        assert shown in mine
    pdf = client.get(reverse("cases:document", args=[application.public_id, document.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_handler_gets_the_task_and_a_bad_move_shows_a_message(client, citizen, team, promise_item):
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
        client.force_login(team["clerk"])
        client.post(reverse("cases:act", args=[application.public_id, "accept"]))
        client.force_login(team["handler"])
        todo = client.get(reverse("cases:list") + "?tab=todo").content.decode()
        assert application.case_number in todo
        step = application.case.steps.get()
        page = client.post(
            reverse("cases:act", args=[application.public_id, "step"]),
            {"step": step.pk, "action": "approve", "opinion": ""},
            follow=True,
        ).content.decode()
        assert "请填写处理意见" in page
        client.post(
            reverse("cases:act", args=[application.public_id, "step"]),
            {"step": step.pk, "action": "approve", "opinion": "材料齐全，拟同意"},
        )
    assert application.case.steps.get(pk=step.pk).finished_at is not None


def test_a_refused_move_answers_403_with_its_reason(client, citizen, team, promise_item):
    """A move not allowed for this person (a handler accepting) or for the case as it stands (a
    second acceptance from a stale page) is refused with PermissionDenied: the page answers 403
    and says why, and the case is as it was."""
    from tongban.applications.states import Status

    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
        accept = reverse("cases:act", args=[application.public_id, "accept"])
        client.force_login(team["handler"])
        refused = client.post(accept)
        assert refused.status_code == 403
        assert "您的角色或所属部门无权办理此件" in refused.content.decode()
        application.refresh_from_db()
        assert application.status == Status.SUBMITTED
        client.force_login(team["clerk"])
        assert client.post(accept).status_code == 302
        stale = client.post(accept)  # the same button, pressed again on the old page
        assert stale.status_code == 403
        assert "当前状态（已受理，审查中）不能执行此操作" in stale.content.decode()
    assert application.case.steps.count() == 1  # accepted once


def test_citizens_and_other_departments_cannot_open_the_workbench_case(
    client, citizen, team, promise_item, other_department
):
    from tongban.testing.factories import staff

    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
    client.force_login(citizen)
    assert client.get(reverse("cases:detail", args=[application.public_id])).status_code == 403
    client.force_login(staff(other_department, "otherclerk", "window_clerk"))
    assert client.get(reverse("cases:detail", args=[application.public_id])).status_code == 403
    response = client.post(reverse("cases:act", args=[application.public_id, "accept"]))
    assert response.status_code == 403


def test_supervisor_sees_warnings_per_department(client, citizen, team, promise_item):
    from tongban.cases import actions

    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=team["clerk"])
    with at(D(2026, 11, 10)):
        actions.raise_warnings()
        client.force_login(team["supervisor"])
        page = client.get(reverse("cases:supervision")).content.decode()
        assert application.case_number in page and "超期" in page
        client.post(
            reverse("cases:act", args=[application.public_id, "supervise"]),
            {"message": "请今日办结"},
        )
    assert application.case.supervisions.get().message == "请今日办结"


def test_lists_filter_by_department_and_status_and_supervisor_sees_figures(
    client, citizen, team, promise_item
):
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        client.force_login(team["supervisor"])
        listed = client.get(
            reverse("cases:list"),
            {"tab": "accept", "status": "submitted", "department": promise_item.department_id},
        ).content.decode()
        assert application.case_number in listed
        other = client.get(
            reverse("cases:list"), {"tab": "accept", "status": "accepted"}
        ).content.decode()
        assert application.case_number not in other
        page = client.get(
            reverse("cases:supervision"), {"since": "2026-11-01", "until": "2026-11-30"}
        )
        assert "按时办结率" in page.content.decode()
