"""The case lists and the supervisor's table as people read them: no red 超期 badge for nothing,
an empty list says where the work is, and a case finished the day it was accepted is 当日办结."""

import datetime

import pytest
from django.urls import reverse

from tongban.testing.builders import complete_case, submit_application
from tongban.testing.clock import at

pytestmark = pytest.mark.django_db
D = datetime.date


def test_an_empty_list_points_to_the_work_and_no_overdue_badge_shows_zero(
    client, citizen, team, promise_item
):
    with at(D(2026, 9, 21)):
        submit_application(citizen, promise_item)
        client.force_login(team["clerk"])
        todo = client.get(reverse("cases:list"), {"tab": "todo"}).content.decode()
        filtered = client.get(reverse("cases:list"), {"tab": "accept", "q": "没有这个事项"})
    assert "badge--red" not in todo and "badge--yellow" not in todo  # 超期 0, 预警 0: no badge
    assert "“待办”中暂时没有办件。" in todo
    assert 'href="?tab=accept">待受理（1）</a>' in todo  # the next step: where the work is
    filtered = filtered.content.decode()
    assert "没有符合筛选条件的办件。" in filtered and 'href="?tab=accept">清除筛选条件' in filtered


def test_an_empty_queue_with_no_work_elsewhere_says_what_will_appear(client, team):
    client.force_login(team["handler"])
    page = client.get(reverse("cases:list")).content.decode()
    assert "您当前没有待处理的办件" in page


def test_the_supervisor_sees_same_day_cases_as_same_day_not_a_dash(
    client, citizen, team, promise_item
):
    complete_case(citizen, team, promise_item, D(2026, 11, 2))
    client.force_login(team["supervisor"])
    with at(D(2026, 11, 3)):
        page = client.get(
            reverse("cases:supervision"), {"since": "2026-11-01", "until": "2026-11-30"}
        ).content.decode()
    row = page.split("办结情况")[1].split("</table>")[0]
    assert "当日办结" in row and ">—<" not in row


def _accept_row(page: str) -> str:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return body.split("</tr>")[0]


def test_the_acceptance_queue_shows_each_deadline_counted_over_the_mid_autumn_holiday(
    client, citizen, team, promise_item
):
    """Issue 31: 待受理 shows the acceptance deadline (5 working days, art. 32) and the working days
    left; 2026-09-25 中秋 is a rest day, so an application of Monday 9/21 is due Tuesday 9/29."""
    with at(D(2026, 9, 21)):
        submit_application(citizen, promise_item)
    client.force_login(team["clerk"])
    with at(D(2026, 9, 22)):
        page = client.get(reverse("cases:list"), {"tab": "accept"}).content.decode()
    assert '<th scope="col">受理期限</th>' in page
    row = _accept_row(page)
    assert "2026-09-29" in row and "—" not in row
    # 9/23, 9/24, 9/28, 9/29: the holiday (9/25) and the weekend are not counted.
    assert "剩 4 个工作日" in row
    with at(D(2026, 9, 30)):
        client.force_login(team["clerk"])  # a new day's session
        late = _accept_row(client.get(reverse("cases:list"), {"tab": "accept"}).content.decode())
    assert "超期 1 个工作日" in late and "badge--red" in late


def _warned_row(page: str, case_number: str) -> str:
    table = page.split("data-warned-cases")[1].split("</table>")[0]
    return next(row for row in table.split("</tr>") if case_number in row)


def test_the_supervisor_sees_who_holds_a_late_case_and_sends_supervision_from_its_row(
    client, citizen, team, promise_item
):
    from tongban.cases import actions
    from tongban.notify.models import Notification

    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=team["clerk"])
    step = application.case.steps.get(finished_at=None)
    url = reverse("cases:supervision")
    client.force_login(team["supervisor"])
    with at(D(2026, 11, 10)):
        actions.raise_warnings()
        row = _warned_row(client.get(url).content.decode(), application.case_number)
        # Nobody has taken the step yet: the row says so, and which step it waits in.
        assert "未分派" in row and step.name in row and "badge--red" in row
        step.assignee = team["handler"]
        step.save(update_fields=["assignee"])
        row = _warned_row(client.get(url).content.decode(), application.case_number)
        assert team["handler"].display_name in row
        send = reverse("cases:supervise-from-list", args=[application.public_id])
        # An empty 督办 is refused in Chinese, names the case and sends nothing.
        empty = client.post(send, {"message": "  ", "page": "1"}, follow=True)
        assert f"{application.case_number}：请填写督办意见" in empty.content.decode()
        assert not application.case.supervisions.exists()
        sent = client.post(send, {"message": "请今日办结", "page": "1"})
        assert sent.status_code == 302 and sent["Location"] == f"{url}?page=1"
        page = client.get(url).content.decode()
    assert f"已向 {application.case_number} 的承办人发送督办通知" in page
    assert "已于 11-10" in _warned_row(page, application.case_number)
    assert application.case.supervisions.get().message == "请今日办结"
    assert Notification.objects.filter(recipient=team["handler"]).exists()
    # Only a supervisor sends 督办 from the table.
    client.force_login(team["handler"])
    assert client.post(send, {"message": "自己督办"}).status_code == 403


def test_an_immediate_decision_is_chosen_not_pre_selected(client, citizen, team, department):
    """Issue 31: the 即办件 decision offered 准予 pre-selected; a post without a choice was read as
    不予. Now both are radios, neither checked, and the server asks for a choice."""
    from tongban.applications.states import Status
    from tongban.catalog import actions as catalog
    from tongban.testing.catalog import complete_item

    with at(D(2026, 9, 1)):
        item, draft = complete_item(
            department, code="010101003000", name="即办证明", materials=1, handling_type="1"
        )
        catalog.publish(actor=team["catalogue"], version=draft)
    item.refresh_from_db()
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, item)
        client.force_login(team["clerk"])
        url = reverse("cases:detail", args=[application.public_id])
        page = client.get(url).content.decode()
        form = page.split("即办件当场办结")[1].split("</form>")[0]
        assert 'type="radio" name="decision" value="approve" required>' in form
        assert 'type="radio" name="decision" value="deny" required>' in form
        assert "checked" not in form and "<select" not in form
        act = reverse("cases:act", args=[application.public_id, "decide_now"])
        refused = client.post(act, {"opinion": "材料齐全"}, follow=True)
        assert "请选择准予或不予" in refused.content.decode()
        application.refresh_from_db()
        assert application.status == Status.SUBMITTED  # nothing decided, nothing lost
        done = client.post(act, {"decision": "approve", "opinion": "材料齐全"}, follow=True)
    assert "即办件已当场办理" in done.content.decode()
    application.refresh_from_db()
    assert application.case.decision == "approve"
