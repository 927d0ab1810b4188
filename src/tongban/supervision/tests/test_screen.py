import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongban.core.models import AuditRecord
from tongban.supervision import actions, summary
from tongban.supervision.tests.conftest import D, accepted, at

pytestmark = pytest.mark.django_db


def test_screen_token_is_issued_shown_without_login_and_revoked(
    client, citizen, team, promise_item
):
    accepted(citizen, promise_item, team, D(2026, 11, 2))
    summary.fold()
    client.force_login(team["supervisor"])
    with at(D(2026, 11, 20)):
        page = client.post(reverse("supervision:screens"), {"name": "市政务服务中心指挥大屏"})
    text = page.content.decode()
    assert "只显示这一次" in text
    token = actions.ScreenToken.objects.get()
    secret = text.split("/screen/")[1].split("/")[0]
    assert token.digest == actions.digest(secret) and secret not in token.digest
    assert AuditRecord.objects.filter(action="supervision.screen_token.issue").exists()

    client.logout()
    with at(D(2026, 11, 20)):
        screen = client.get(reverse("supervision:screen", args=[secret]))
        data = client.get(reverse("supervision:screen-data", args=[secret])).json()
    body = screen.content.decode()
    assert screen.status_code == 200 and "市政务服务中心指挥大屏" in body
    assert "登录" not in body and "<script>" not in body and " style=" not in body
    assert data["month"]["cases"] == 1 and "status" in data and data["findings"] == 0

    actions.revoke_screen_token(actor=team["supervisor"], token_id=token.pk)
    assert AuditRecord.objects.filter(action="supervision.screen_token.revoke").exists()
    assert client.get(reverse("supervision:screen", args=[secret])).status_code == 404
    assert client.get(reverse("supervision:screen-data", args=[secret])).status_code == 404


def test_wrong_tokens_and_people_who_may_not_issue(client, team):
    assert client.get(reverse("supervision:screen", args=["nonsense"])).status_code == 404
    with pytest.raises(ValidationError, match="只有效能监察和领导"):
        actions.issue_screen_token(actor=team["handler"], name="大屏")
    with pytest.raises(ValidationError, match="请填写大屏名称"):
        actions.issue_screen_token(actor=team["supervisor"], name="  ")
    client.force_login(team["handler"])
    assert client.get(reverse("supervision:screens")).status_code == 403
    client.force_login(team["supervisor"])
    page = client.post(reverse("supervision:screens"), {"name": ""}).content.decode()
    assert "请填写大屏名称" in page
