"""Personal data in form values (ID number, phone, bank account — found by the field's format) is
masked in the API and on the staff case page; the full value only through an audited reveal."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.applications import actions, formlib
from tongban.core.models import AuditRecord
from tongban.testing.clock import at
from tongban.testing.factories import pdf_bytes

pytestmark = pytest.mark.django_db
ACCOUNT = "6222021234567890123"
BASE = "/api/v1/applications/"


def _form_with_bank_account(item):
    schema, layout = formlib.build(
        {
            "request_detail": formlib._text("申请事项说明", max_length=200),
            "bank_account": {
                "type": "string",
                "title": "发放银行账号",
                "x-format": "bank_account",
            },
        },
        ["request_detail"],
    )
    actions.publish_form(actor=None, service_item=item, schema=schema, layout=layout)


def _submitted(owner, item):
    application = actions.start_application(owner=owner, service_item=item, channel="pc")
    actions.save_section(
        application=application,
        actor=owner,
        section=1,
        raw={"request_detail": "申请办理许可", "bank_account": ACCOUNT},
    )
    actions.save_section(
        application=application, actor=owner, section=2, raw={"delivery_method": "window"}
    )
    for material in actions.required_materials(application):
        actions.attach_file(
            application=application,
            actor=owner,
            material_id=material.pk,
            uploaded=SimpleUploadedFile("申请书.pdf", pdf_bytes()),
        )
    return actions.submit(application=application, actor=owner)


def test_api_masks_the_id_number_and_reveals_it_only_with_a_purpose(client, citizen, promise_item):
    client.force_login(citizen)
    created = client.post(
        BASE,
        {"implementation_code": promise_item.implementation_code},
        content_type="application/json",
    ).json()
    full_id = citizen.citizen.id_number

    detail = client.get(f"{BASE}{created['public_id']}/")

    data = detail.json()["data"]
    assert full_id not in detail.content.decode() and citizen.phone not in detail.content.decode()
    assert data["applicant_id_number"] == full_id[:6] + "********" + full_id[-4:]
    no_purpose = client.post(
        f"{BASE}{created['public_id']}/reveal/",
        {"field": "applicant_id_number", "purpose": " "},
        content_type="application/json",
    )
    not_personal = client.post(
        f"{BASE}{created['public_id']}/reveal/",
        {"field": "applicant_name", "purpose": "核对"},
        content_type="application/json",
    )
    assert no_purpose.status_code == 400 and not_personal.status_code == 400
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()
    revealed = client.post(
        f"{BASE}{created['public_id']}/reveal/",
        {"field": "applicant_id_number", "purpose": "核对本人信息"},
        content_type="application/json",
    )
    assert revealed.json()["value"] == full_id
    record = AuditRecord.objects.get(action="pii.reveal")
    assert record.purpose == "核对本人信息" and record.detail == {"field": "applicant_id_number"}


def test_staff_case_page_masks_the_bank_account_and_reveals_it_audited(
    client,
    citizen,
    team,
    promise_item,
):
    _form_with_bank_account(promise_item)
    with at(datetime.date(2026, 11, 2)):
        application = _submitted(citizen, promise_item)
    clerk = team["clerk"]
    client.force_login(clerk)

    page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()

    assert ACCOUNT not in page and "6222***********0123" in page
    reveal_url = reverse("intake_staff:reveal", args=[application.public_id])
    assert reveal_url in page
    refused = client.post(reveal_url, {"field": "bank_account", "purpose": ""})
    assert ACCOUNT not in refused.content.decode() and "必须说明用途" in refused.content.decode()
    shown = client.post(reveal_url, {"field": "bank_account", "purpose": "核对发放账户"})
    assert ACCOUNT in shown.content.decode()
    assert "no-cache" in shown["Cache-Control"] or "no-store" in shown["Cache-Control"]
    assert AuditRecord.objects.filter(
        action="pii.reveal", actor=clerk, purpose="核对发放账户"
    ).exists()


def test_staff_of_another_department_cannot_reveal(
    client,
    citizen,
    team,
    promise_item,
    other_department,
):
    from tongban.testing.factories import staff

    _form_with_bank_account(promise_item)
    with at(datetime.date(2026, 11, 2)):
        application = _submitted(citizen, promise_item)
    client.force_login(staff(other_department, "outsider", "handler"))

    response = client.post(
        reverse("intake_staff:reveal", args=[application.public_id]),
        {"field": "bank_account", "purpose": "好奇"},
    )

    assert response.status_code == 403
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


def test_a_malformed_bank_account_is_refused(citizen, promise_item):
    _form_with_bank_account(promise_item)
    application = actions.start_application(owner=citizen, service_item=promise_item, channel="pc")

    errors = actions.save_section(
        application=application,
        actor=citizen,
        section=1,
        raw={"request_detail": "申请办理许可", "bank_account": "6222-abc"},
    )

    assert errors == {"bank_account": "银行账号应为12至30位数字"}


def test_every_required_field_error_names_the_field(citizen, promise_item):
    from tongban.applications import formdefs

    application = actions.start_application(owner=citizen, service_item=promise_item, channel="pc")
    form = application.form
    data = {"applicant_kind": "enterprise", "has_agent": True}

    errors = formdefs.validate(form.schema, form.layout, data)

    assert errors["agent_name"] == "请填写经办人姓名"
    assert all(form.schema["properties"][n]["title"] in m for n, m in errors.items())


def test_the_check_your_answers_page_masks_the_bank_account(client, citizen, promise_item):
    _form_with_bank_account(promise_item)
    application = actions.start_application(owner=citizen, service_item=promise_item, channel="pc")
    actions.save_section(
        application=application,
        actor=citizen,
        section=1,
        raw={"request_detail": "申请办理许可", "bank_account": ACCOUNT},
    )
    client.force_login(citizen)
    review = len(application.form.sections) + 1  # the page after the materials: 确认提交
    page = client.get(reverse("applications:draft", args=[application.public_id]), {"page": review})
    text = page.content.decode()
    assert page.status_code == 200
    assert ACCOUNT not in text and "6222***********0123" in text


def test_the_case_page_asks_for_the_purpose_as_a_labelled_choice_before_the_full_value(
    client, citizen, team, promise_item
):
    """Issue 31: the purpose is a visible, labelled choice (or words for 其他), required before the
    unmasked value, and what was chosen is what the audit record keeps."""
    _form_with_bank_account(promise_item)
    with at(datetime.date(2026, 11, 2)):
        application = _submitted(citizen, promise_item)
    clerk = team["clerk"]
    client.force_login(clerk)
    page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
    form = next(
        block.split("</details>")[0]
        for block in page.split('<details class="pii-reveal">')[1:]
        if 'value="bank_account"' in block.split("</details>")[0]
    )
    assert '<label class="field__label" for="purpose-choice-bank_account">查看用途</label>' in form
    assert '<select id="purpose-choice-bank_account" name="purpose_choice" required' in form
    assert '<option value="account">核对发放账户</option>' in form
    assert '<option value="own_words">其他（请在下面写明）</option>' in form
    assert "记入审计记录" in form
    reveal_url = reverse("intake_staff:reveal", args=[application.public_id])

    for refused_post in (
        {"field": "bank_account"},  # nothing chosen
        {"field": "bank_account", "purpose_choice": "", "purpose": "   "},
        {
            "field": "bank_account",
            "purpose_choice": "own_words",
            "purpose": "",
        },  # 其他 without words
    ):
        refused = client.post(reveal_url, refused_post).content.decode()
        assert ACCOUNT not in refused and "查看完整个人信息必须说明用途" in refused
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()

    shown = client.post(reveal_url, {"field": "bank_account", "purpose_choice": "account"})
    assert (
        ACCOUNT in shown.content.decode() and "记录的用途：核对发放账户" in shown.content.decode()
    )
    client.post(
        reveal_url,
        {"field": "bank_account", "purpose_choice": "own_words", "purpose": "申请人来电更正账户"},
    )
    purposes = list(
        AuditRecord.objects.filter(action="pii.reveal", actor=clerk)
        .order_by("pk")
        .values_list("purpose", flat=True)
    )
    assert purposes == ["核对发放账户", "申请人来电更正账户"]
