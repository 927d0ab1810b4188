"""A bad rating from start to finish: a completed case rated 非常不满意 online with text; the department gets it,
calls back, rectifies within the deadline, the rater rates the rectification; the same case rated by
SMS reply; the public figures; an open rectification turning red after its deadline."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tongban.core.models import AuditRecord
from tongban.notify.models import InboxMessage, SmsOutbox
from tongban.ratings import actions, sms
from tongban.ratings.codes import BadStatus, Channel
from tongban.ratings.models import BadRatingCase, Rating, RatingInvitation
from tongban.ratings.tests.conftest import at, complete_case

pytestmark = pytest.mark.django_db
D = datetime.date


def test_bad_rating_online_callback_rectification_sms_and_public_figures(
    client, citizen, team, promise_item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = complete_case(citizen, team, promise_item, D(2026, 11, 2))
    # 办结 invited the applicant: in the message centre and by SMS with the reply instruction.
    assert InboxMessage.objects.filter(recipient=citizen, title__startswith="请评价").exists()
    invitation_sms = SmsOutbox.objects.get(text__contains="回复1-5评价")
    assert len(invitation_sms.text) <= 70
    assert RatingInvitation.objects.filter(application=application, answered_at=None).exists()

    with at(D(2026, 11, 3)):  # Tuesday: 非常不满意, online, with text
        client.force_login(citizen)
        page = client.get(reverse("ratings:case", args=[application.public_id]))
        assert page.status_code == 200 and "非常不满意" in page.content.decode()
        client.post(
            reverse("ratings:case", args=[application.public_id]),
            {
                "form": "rate",
                "level": "5",
                "score_efficiency": "5",
                "score_guide_accuracy": "3",
                "text": "办理太慢，材料要求前后不一",
            },
        )
    rating = Rating.objects.get(application=application, channel=Channel.PC)
    assert (rating.level, rating.rater, rating.real_name) == (5, citizen, True)
    assert rating.scores == {"overall": 5, "efficiency": 5, "guide_accuracy": 3}
    assert rating.staff == team["handler"] and rating.item == promise_item
    bad_case = BadRatingCase.objects.get(rating=rating)
    # 谁办理谁负责: the handling department; 10 working days from 11/3 (no holiday) → 11/17.
    assert bad_case.department == promise_item.department
    assert (bad_case.status, bad_case.deadline) == (BadStatus.ASSIGNED, D(2026, 11, 17))
    assert InboxMessage.objects.filter(
        recipient=team["approver"], title__startswith="差评"
    ).exists()
    # the person rated is neither told to handle it nor allowed to
    assert not InboxMessage.objects.filter(
        recipient=team["handler"], title__startswith="差评"
    ).exists()
    with pytest.raises(PermissionDenied):
        actions.verify(bad_case=bad_case, actor=team["handler"], finding="自查无问题")

    approver = team["approver"]
    with at(D(2026, 11, 4)):
        with pytest.raises(ValidationError, match="须先回访"):
            actions.verify(bad_case=bad_case, actor=approver, finding="材料清单确有不一致")
        client.force_login(approver)
        client.post(
            reverse("ratings_staff:act", args=[bad_case.pk, "callback"]),
            {"reached": "1", "summary": "电话联系申请人，致歉并说明将统一材料清单"},
        )
        client.post(
            reverse("ratings_staff:act", args=[bad_case.pk, "verify"]),
            {"finding": "窗口与网上办事指南的材料清单不一致"},
        )
        client.post(
            reverse("ratings_staff:act", args=[bad_case.pk, "classify"]),
            {"classification": "complex", "text": "修订办事指南并培训窗口人员"},
        )
    bad_case.refresh_from_db()
    assert bad_case.status == BadStatus.LEDGER
    assert bad_case.callbacks.get().called_by == approver

    with at(D(2026, 11, 16)):  # one working day left: yellow
        assert actions.raise_rectification_warnings() == {"yellow": 1, "red": 0}
        client.force_login(approver)
        detail = client.get(reverse("ratings_staff:detail", args=[bad_case.pk])).content.decode()
        assert "即将到期" in detail and "整改完成" in detail
        client.post(
            reverse("ratings_staff:act", args=[bad_case.pk, "rectify"]),
            {"result": "已修订办事指南，窗口按统一清单收件"},
        )
    bad_case.refresh_from_db()
    assert bad_case.status == BadStatus.RECTIFIED and bad_case.warning == ""
    assert InboxMessage.objects.filter(recipient=citizen, title__startswith="评价处理结果").exists()

    with at(D(2026, 11, 17)):  # the rater rates the rectification
        client.force_login(citizen)
        page = client.get(reverse("ratings:case", args=[application.public_id])).content.decode()
        assert "已修订办事指南" in page and "评价整改结果" in page
        client.post(
            reverse("ratings:case", args=[application.public_id]),
            {"form": "rectification", "bad_case": bad_case.pk, "level": "2", "text": "改进了"},
        )
    bad_case.refresh_from_db()
    assert bad_case.rectification_rating.level == 2
    assert bad_case.rectification_rating.about_rectification

    with at(D(2026, 11, 17)), django_capture_on_commit_callbacks(execute=True):
        body, signature = sms.build(citizen.phone, "4")  # the same case by SMS: 4 = 满意
        answer = client.post(
            reverse("ratings:sms-inbound"),
            body,
            content_type="application/json",
            headers={"X-Tongban-Signature": signature},
        )
    assert answer.status_code == 200 and answer.json()["status"] == "recorded"
    assert Rating.objects.get(application=application, channel=Channel.SMS).level == 2
    assert SmsOutbox.objects.filter(text="感谢您的评价！").exists()

    with at(D(2026, 11, 18)):  # public figures: 2 ratings (5 and 2), 1 bad, rectified, called
        page = client.get(
            reverse("ratings:public") + "?start=2026-11-01&end=2026-11-30"
        ).content.decode()
    assert promise_item.department.name in page
    assert "50.0%" in page and "100.0%" in page
    assert "示例老人" not in page and citizen.phone not in page
    assert AuditRecord.objects.filter(action="ratings.bad_rectified").exists()


def test_open_rectification_turns_red_after_its_deadline(client, citizen, team, promise_item):
    application = complete_case(citizen, team, promise_item, D(2026, 11, 2))
    with at(D(2026, 11, 3)):
        rating = actions.rate_case(application=application, rater=citizen, level=4, text="态度一般")
    bad_case = rating.bad_case
    assert bad_case.deadline == D(2026, 11, 17)
    with at(D(2026, 11, 17)):  # the last day: yellow, not red
        assert actions.raise_rectification_warnings()["red"] == 0
    bad_case.refresh_from_db()
    assert bad_case.warning == "yellow"
    with at(D(2026, 11, 18)):
        assert actions.raise_rectification_warnings() == {"yellow": 0, "red": 1}
        assert actions.raise_rectification_warnings() == {"yellow": 0, "red": 0}  # once
        client.force_login(team["supervisor"])
        page = client.get(reverse("ratings_staff:supervision")).content.decode()
    bad_case.refresh_from_db()
    assert bad_case.warning == "red"
    assert bad_case.history.filter(event__startswith="红色预警").count() == 1
    assert "已超期" in page and f"#{bad_case.pk}" in page
    assert InboxMessage.objects.filter(
        recipient=team["supervisor"], title__startswith="差评整改已超期"
    ).exists()
