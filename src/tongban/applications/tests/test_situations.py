"""情形引导 answers when starting an application: the window clerk answers them at the counter
(窗口代办), and an answer that matches no question or option is refused, on pages and in the API."""

import pytest
from django.urls import reverse

from tongban.applications import actions
from tongban.applications.models import Application
from tongban.catalog.models import SituationOption

pytestmark = pytest.mark.django_db


def _options(item):
    question = item.current_version.questions.get()
    yes, no = question.options.order_by("order")
    return question, yes, no


def test_clerk_answers_the_situation_questions_at_the_window(
    client, citizen, staff_clerk, item_with_questions
):
    client.force_login(staff_clerk)
    url = reverse("intake_staff:proxy-start")
    person = {
        "id_number": citizen.citizen.id_number,
        "code": item_with_questions.implementation_code,
    }
    question, yes, _no = _options(item_with_questions)

    first = client.post(url, person)

    page = first.content.decode()
    assert first.status_code == 200 and not Application.objects.exists()
    assert "申请人是否持有残疾证？" in page and f'name="q{question.pk}"' in page
    assert "请询问申请人后回答以下问题" in page
    response = client.post(url, {**person, f"q{question.pk}": yes.pk})
    application = Application.objects.get()
    assert response["Location"] == reverse("applications:draft", args=[application.public_id])
    assert application.situation_answers == {str(question.pk): yes.pk}
    assert application.window_staff == staff_clerk and application.owner == citizen
    checklist = actions.material_checklist(application)
    assert "残疾证" in [row["material"].name for row in checklist]


def test_clerk_is_refused_an_option_the_question_does_not_have(
    client, citizen, staff_clerk, item_with_questions
):
    client.force_login(staff_clerk)
    question, _yes, _no = _options(item_with_questions)
    foreign_id = SituationOption.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1

    page = client.post(
        reverse("intake_staff:proxy-start"),
        {
            "id_number": citizen.citizen.id_number,
            "code": item_with_questions.implementation_code,
            f"q{question.pk}": foreign_id,
        },
    ).content.decode()

    assert f"没有编号为 {foreign_id} 的选项" in page
    assert not Application.objects.exists()


def test_citizen_start_page_refuses_an_unknown_option(client, citizen, item_with_questions):
    client.force_login(citizen)
    question, _yes, _no = _options(item_with_questions)
    url = reverse("applications:start", args=[item_with_questions.implementation_code])

    unknown = client.post(url, {"as": "self", f"q{question.pk}": 999999}, follow=True)
    malformed = client.post(url, {"as": "self", f"q{question.pk}": "是"}, follow=True)

    assert "没有编号为 999999 的选项" in unknown.content.decode()
    assert "情形问题和选项应以编号表示" in malformed.content.decode()
    assert not Application.objects.exists()


def test_api_refuses_unknown_question_option_and_malformed_answers(
    client, citizen, item_with_questions
):
    client.force_login(citizen)
    question, yes, _no = _options(item_with_questions)
    code = item_with_questions.implementation_code
    url = "/api/v1/applications/"

    cases = {
        "999999": "情形问题 999999 不属于该事项",
        str(question.pk): f"没有编号为 {yes.pk + 1000} 的选项",
        "abc": "情形问题和选项应以编号表示",
    }
    for key, message in cases.items():
        value = yes.pk + 1000 if key == str(question.pk) else yes.pk
        response = client.post(
            url,
            {"implementation_code": code, "answers": {key: value}},
            content_type="application/json",
        )
        assert response.status_code == 400, key
        assert message in str(response.json()["errors"]["answers"]), key
    assert not Application.objects.exists()
    good = client.post(
        url,
        {"implementation_code": code, "answers": {str(question.pk): yes.pk}},
        content_type="application/json",
    )
    assert good.status_code == 201


def test_situation_api_and_page_say_an_option_is_unknown(client, item_with_questions):
    question, _yes, _no = _options(item_with_questions)
    code = item_with_questions.implementation_code

    api = client.post(
        reverse("api:catalog-item-situation", args=[code]),
        {"answers": {str(question.pk): 999999}},
        content_type="application/json",
    )
    page = client.get(reverse("catalog:situation", args=[code]) + f"?q{question.pk}=x")

    assert api.status_code == 400 and "没有编号为 999999 的选项" in str(api.json())
    assert "回答无效" in page.content.decode()
