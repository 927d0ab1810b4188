"""An Idempotency-Key reused with a different body is refused with 422, not answered with the case
the first body made; the same body again still gets the first answer."""

import pytest

from tongban.applications.models import Application

pytestmark = pytest.mark.django_db
BASE = "/api/v1/applications/"


def _post(client, url, body, key):
    return client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def test_create_with_a_reused_key_and_another_body_is_refused(
    client, citizen, published_item, item_with_questions
):
    client.force_login(citizen)
    first = _post(client, BASE, {"implementation_code": published_item.implementation_code}, "k")
    question = item_with_questions.current_version.questions.get()
    other = {
        "implementation_code": item_with_questions.implementation_code,
        "answers": {str(question.pk): question.options.first().pk},
    }

    again = _post(client, BASE, {"implementation_code": published_item.implementation_code}, "k")
    reused = _post(client, BASE, other, "k")

    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["public_id"] == first.json()["public_id"]
    assert reused.status_code == 422
    assert "Idempotency-Key 已用于内容不同的请求" in reused.json()["detail"]
    assert Application.objects.count() == 1
    assert _post(client, BASE, other, "k2").status_code == 201  # a new key is a new application


def test_one_call_submission_with_a_reused_key_and_another_body_is_refused(
    client, citizen, published_item
):
    from tongban.applications.tests.test_api_one_call import VALUES
    from tongban.applications.tests.test_api_one_call import _post as post_whole

    client.force_login(citizen)
    first = post_whole(client, published_item, key="one")
    same = post_whole(client, published_item, key="one")
    changed = post_whole(
        client, published_item, key="one", values={**VALUES, "request_detail": "另一份申请"}
    )

    assert first.status_code == 201 and same.status_code == 200
    assert changed.status_code == 422 and "内容不同" in changed.json()["detail"]
    assert Application.objects.exclude(case_number=None).count() == 1
