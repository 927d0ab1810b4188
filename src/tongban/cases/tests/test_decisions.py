"""The case page's decisions: nothing is chosen for the reviewer, each 业务动作 says what it does,
and a final act (出证办结) needs its confirmation, checked by the server."""

import datetime
import re

import pytest
from django.urls import reverse

from tongban.applications.states import Status
from tongban.cases import actions
from tongban.testing.builders import accepted, open_step
from tongban.testing.clock import at

pytestmark = pytest.mark.django_db
D = datetime.date


def _step(client, application, **data):
    return client.post(
        reverse("cases:act", args=[application.public_id, "step"]),
        {"step": open_step(application).pk, **data},
        follow=True,
    ).content.decode()


def _page(client, application) -> str:
    return client.get(reverse("cases:detail", args=[application.public_id])).content.decode()


def test_no_action_is_preselected_and_a_submission_without_one_is_refused(
    client, citizen, team, promise_item
):
    application = accepted(citizen, promise_item, team, D(2026, 9, 21))
    with at(D(2026, 9, 21), 10):
        client.force_login(team["handler"])
        page = _page(client, application)
        radios = re.findall(r'<input type="radio" name="action"[^>]*>', page)
        assert radios and not [r for r in radios if "checked" in r]
        answer = _step(client, application, opinion="材料齐全")  # no action chosen
        assert "请先选择业务动作（如通过或退回），再提交" in answer
        application.refresh_from_db()
        assert open_step(application).name == "承办"  # nothing was picked for the handler
        answer = _step(client, application, action="approve", opinion="材料齐全")
        assert "已提交本环节意见" in answer


def test_each_action_says_what_it_does_and_only_the_allowed_ones_are_offered(
    client, citizen, team, promise_item
):
    application = accepted(citizen, promise_item, team, D(2026, 9, 21))
    with at(D(2026, 9, 21), 10):
        client.force_login(team["handler"])
        page = _page(client, application)
        assert 'value="approve"' in page and 'value="return"' not in page  # 承办: only 通过
        _step(client, application, action="approve", opinion="拟同意")
        client.force_login(team["reviewer"])
        page = _page(client, application)
        assert "退回承办" in page and 'value="other"' not in page
        _step(client, application, action="approve", opinion="同意")
        client.force_login(team["approver"])
        page = _page(client, application)
    # 批准: 其他 is named by what it does, with the 业务动作 beside it.
    assert "准予许可" in page and "退回审核" in page and "不予许可" in page
    assert "业务动作：其他" in page


def test_completion_needs_its_confirmation(client, citizen, team, promise_item):
    application = accepted(citizen, promise_item, team, D(2026, 9, 21))
    with at(D(2026, 9, 22)):
        for role in ("handler", "reviewer", "approver"):
            application.refresh_from_db()
            actions.complete_step(
                application=application,
                actor=team[role],
                step_id=open_step(application).pk,
                action="approve",
                opinion="符合条件",
            )
        client.force_login(team["clerk"])
        page = _page(client, application)
        assert "出证办结" in page and 'name="confirm"' in page
        complete = reverse("cases:act", args=[application.public_id, "complete"])
        answer = client.post(complete, follow=True).content.decode()  # one click, no tick
        assert "请先勾选“我已核对审批结果和将签发的文书”，再办结" in answer
        application.refresh_from_db()
        assert application.status == Status.APPROVED
        answer = client.post(complete, {"confirm": "yes"}, follow=True).content.decode()
    assert "已办结" in answer
    application.refresh_from_db()
    assert application.status == Status.COMPLETED


def test_a_finished_case_links_the_licence_it_issued(client, citizen, team, licence_type):
    from tongban.testing.builders import complete_case

    application = complete_case(citizen, team, licence_type.renewal_item, D(2026, 11, 2))
    licence = application.issued_licences.get()
    client.force_login(team["handler"])  # keeps licences: opens the licence's page
    page = _page(client, application)
    assert reverse("licences_staff:detail", args=[licence.pk]) in page
    assert reverse("seals:document", args=[licence.document.public_id]) in page
    client.force_login(team["clerk"])  # no licence desk: the verification link, no 403 link
    page = _page(client, application)
    assert reverse("licences_staff:detail", args=[licence.pk]) not in page
    assert reverse("seals:document", args=[licence.document.public_id]) in page
