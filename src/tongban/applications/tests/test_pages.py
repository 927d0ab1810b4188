import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.applications.models import Application
from tongban.testing.factories import PASSWORD, pdf_bytes

pytestmark = pytest.mark.django_db
PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def _begin(client, item, **headers):
    response = client.post(
        reverse("applications:start", args=[item.implementation_code]), {"as": "self"}, **headers
    )
    application = Application.objects.latest("created_at")
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:draft", args=[application.public_id])
    return application


def _save(client, application, section, data, go="next"):
    return client.post(
        reverse("applications:save", args=[application.public_id, section]), {**data, "go": go}
    )


def _upload_all(client, application):
    for material in application.item_version.materials.all():
        client.post(
            reverse("applications:upload", args=[application.public_id]),
            {"material": material.pk, "file": SimpleUploadedFile("证明.pdf", pdf_bytes())},
        )


def test_citizen_applies_from_a_phone_resumes_and_double_submits(client, citizen, published_item):
    client.force_login(citizen)
    application = _begin(client, published_item, HTTP_USER_AGENT=PHONE_UA)
    first_page = client.get(reverse("applications:draft", args=[application.public_id]))
    assert "已自动填写" in first_page.content.decode()
    assert citizen.citizen.id_number not in first_page.content.decode()  # shown masked
    _save(client, application, 0, {})
    _save(client, application, 1, {"request_detail": "申请领取高龄津贴"})
    client.logout()  # leave halfway … and come back (another device: a new session)
    client.force_login(citizen)
    mine = client.get(reverse("applications:mine")).content.decode()
    assert "继续填写" in mine and "高龄津贴申领" in mine
    resumed = client.get(reverse("applications:draft", args=[application.public_id]) + "?page=1")
    assert "申请领取高龄津贴" in resumed.content.decode()
    _save(client, application, 2, {"delivery_method": "window"})
    _upload_all(client, application)
    submit_url = reverse("applications:submit", args=[application.public_id])
    first, second = client.post(submit_url), client.post(submit_url)
    assert first.status_code == second.status_code == 302
    application.refresh_from_db()
    assert application.case_number and application.get_channel_display() == "移动端"
    assert Application.objects.exclude(case_number=None).count() == 1
    done = client.get(
        reverse("applications:submitted", args=[application.public_id])
    ).content.decode()
    assert application.case_number in done and "下载申请回执" in done
    case_page = client.get(
        reverse("applications:draft", args=[application.public_id])
    ).content.decode()
    assert "网上申报" in case_page and "撤回申请" in case_page


def test_invalid_page_keeps_what_was_typed(client, citizen, published_item):
    client.force_login(citizen)
    application = _begin(client, published_item)
    response = _save(client, application, 2, {"delivery_method": "mail", "mail_address": "短"})
    assert response["Location"].endswith("?page=2")
    page = client.get(response["Location"]).content.decode()
    assert "至少填写 6 个字" in page and 'value="短"' in page


def test_a_value_posted_to_the_wrong_page_is_refused_with_where_it_belongs(
    client, citizen, published_item
):
    client.force_login(citizen)
    application = _begin(client, published_item)
    response = _save(client, application, 1, {"delivery_method": "window"})
    assert response["Location"].endswith("?page=1")
    page = client.get(response["Location"]).content.decode()
    assert "以下内容不在第 2 页，未保存" in page and "在第 3 页" in page
    application.refresh_from_db()
    assert "delivery_method" not in application.data or application.data["delivery_method"] is None


def test_expired_login_mid_form_loses_nothing(client, citizen, published_item):
    client.force_login(citizen)
    application = _begin(client, published_item)
    client.logout()  # the session ran out while the person was typing
    response = _save(client, application, 1, {"request_detail": "因年满八十周岁申请高龄津贴"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    login = client.post(
        reverse("accounts:login"),
        {
            "identifier": citizen.phone,
            "password": PASSWORD,
            "next": reverse("applications:draft", args=[application.public_id]),
        },
    )
    page = client.get(login["Location"], follow=True).content.decode()
    assert "已恢复并保存" in page
    application.refresh_from_db()
    assert application.data["request_detail"] == "因年满八十周岁申请高龄津贴"


def test_disguised_and_oversized_uploads_get_clear_messages(
    client, citizen, published_item, settings
):
    client.force_login(citizen)
    application = _begin(client, published_item)
    material = application.item_version.materials.first()
    url = reverse("applications:upload", args=[application.public_id])
    page = client.post(
        url,
        {"material": material.pk, "file": SimpleUploadedFile("setup.pdf", b"MZ" + b"\0" * 100)},
        follow=True,
    ).content.decode()
    assert "改扩展名无效" in page
    settings.UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024))
    page = client.post(url, {"material": material.pk, "file": big}, follow=True).content.decode()
    assert "文件过大：单个文件不能超过 1 MB" in page
    assert not application.files.exists()


def test_other_people_cannot_see_a_draft_or_its_files(
    client, citizen, second_citizen, published_item
):
    client.force_login(citizen)
    application = _begin(client, published_item)
    client.force_login(second_citizen)
    assert (
        client.get(reverse("applications:draft", args=[application.public_id])).status_code == 404
    )


def test_my_cases_reads_the_list_in_the_same_queries_however_long_it_is(
    client, citizen, published_item
):
    """我的办件 reads only the columns a row shows; a row that needed one more (a template
    showing a new field) would read it once per row, and this count would grow with the list."""
    client.force_login(citizen)
    url = reverse("applications:mine")
    first = _begin(client, published_item)
    client.get(url)
    with CaptureQueriesContext(connection) as one_row:
        client.get(url)
    for _ in range(2):
        _begin(client, published_item)
    with CaptureQueriesContext(connection) as three_rows:
        page = client.get(url).content.decode()
    assert len(three_rows) == len(one_row)
    assert page.count("继续填写") == 3 and page.count(">高龄津贴申领</td>") == 3
    assert page.count("删除草稿") == 3  # every draft can be deleted from the list
    assert first.reference in page and published_item.department.name in page


def _count_queries(queries) -> int:
    return sum("COUNT(*)" in q["sql"] and "applications_application" in q["sql"] for q in queries)


def test_my_cases_counts_only_when_the_first_page_is_full(client, citizen, published_item):
    """Most people have fewer cases than fit on a page: the rows read are the count, so the
    page does without SELECT COUNT; a full first page still says how many pages there are."""
    client.force_login(citizen)
    url = reverse("applications:mine")
    for _ in range(3):
        _begin(client, published_item)
    with CaptureQueriesContext(connection) as short:
        page = client.get(url).content.decode()
    assert page.count("继续填写") == 3 and "下一页" not in page
    assert _count_queries(short) == 0

    for _ in range(9):
        _begin(client, published_item)
    with CaptureQueriesContext(connection) as full:
        first = client.get(url).content.decode()
    assert first.count("继续填写") == 10 and "第 1 / 2 页" in first and "下一页" in first
    assert _count_queries(full) == 1
    second = client.get(url + "?status=&page=2").content.decode()
    assert second.count("继续填写") == 2 and "第 2 / 2 页" in second and "上一页" in second
    assert client.get(url + "?page=x").content.decode().count("继续填写") == 10


def test_public_progress_query_needs_the_phone_tail_and_is_rate_limited(
    client, citizen, published_item
):
    client.force_login(citizen)
    application = _begin(client, published_item)
    _save(client, application, 1, {"request_detail": "申请领取高龄津贴"})
    _save(client, application, 2, {"delivery_method": "window"})
    _upload_all(client, application)
    client.post(reverse("applications:submit", args=[application.public_id]))
    application.refresh_from_db()
    client.logout()
    url = reverse("applications:progress")
    with CaptureQueriesContext(connection) as queries:
        found = client.post(
            url, {"case_number": application.case_number, "phone_tail": citizen.phone[-4:]}
        )
    # The application with only what the answer shows (docs/sizing.md), then its public timeline;
    # a column the page shows but the query left out would be read in a query of its own.
    read = [
        q["sql"].split(" FROM ")[1].split('"')[1] for q in queries if "applications_" in q["sql"]
    ]
    assert read == [
        "applications_application",
        "applications_timelineevent",
    ]
    assert "网上申报" in found.content.decode() and "已提交，待受理" in found.content.decode()
    wrong = client.post(
        url, {"case_number": application.case_number, "phone_tail": "0000"}
    ).content.decode()
    assert "没有找到匹配的办件" in wrong and "网上申报" not in wrong
    for _ in range(20):
        client.post(url, {"case_number": application.case_number, "phone_tail": "0000"})
    assert (
        "查询过于频繁"
        in client.post(
            url, {"case_number": application.case_number, "phone_tail": citizen.phone[-4:]}
        ).content.decode()
    )


def test_window_clerk_starts_an_application_for_a_registered_citizen(
    client, citizen, staff_clerk, published_item
):
    client.force_login(staff_clerk)
    url = reverse("intake_staff:proxy-start")
    wrong = citizen.citizen.id_number[:-1] + ("0" if citizen.citizen.id_number[-1] != "0" else "1")
    page = client.post(
        url, {"id_number": wrong, "code": published_item.implementation_code}
    ).content.decode()
    assert "身份证号码最后一位不对，请核对" in page
    response = client.post(
        url, {"id_number": citizen.citizen.id_number, "code": published_item.implementation_code}
    )
    application = Application.objects.get()
    assert response["Location"] == reverse("applications:draft", args=[application.public_id])
    assert application.owner == citizen and application.window_staff == staff_clerk
    assert client.get(response["Location"]).status_code == 200  # the clerk fills it in


def test_citizens_cannot_use_the_window_page(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("intake_staff:proxy-start")).status_code == 403


def test_guide_leads_to_online_application_with_the_situation_answers(
    client, citizen, published_item
):
    code = published_item.implementation_code
    guide = client.get(reverse("catalog:guide", args=[code])).content.decode()
    assert reverse("applications:start", args=[code]) in guide


def test_start_page_asks_the_situation_questions_it_was_not_given(
    client, citizen, item_with_questions
):
    """No dead end: 开始填写 without answers shows the questions there, named in the error summary."""
    client.force_login(citizen)
    url = reverse("applications:start", args=[item_with_questions.implementation_code])
    question = item_with_questions.current_version.questions.get()
    yes, no = question.options.order_by("order", "id")
    answered = client.get(url, {f"q{question.pk}": yes.pk}).content.decode()
    assert f'name="q{question.pk}" value="{yes.pk}" checked' in answered  # carried from the guide
    refused = client.post(url, {"as": "self"})
    page = refused.content.decode()
    assert refused.status_code == 200 and not Application.objects.exists()
    assert "请回答：申请人是否持有残疾证？" in page and f'href="#q{question.pk}"' in page
    assert "<title>错误：" in page
    started = client.post(url, {"as": "self", f"q{question.pk}": no.pk})
    assert started.status_code == 302 and Application.objects.count() == 1


def test_start_page_offers_to_continue_the_last_draft(client, citizen, published_item):
    client.force_login(citizen)
    url = reverse("applications:start", args=[published_item.implementation_code])
    assert "继续上次填写" not in client.get(url).content.decode()
    application = _begin(client, published_item)
    page = client.get(url).content.decode()
    assert "继续上次填写" in page
    assert reverse("applications:draft", args=[application.public_id]) in page
    assert str(application.public_id)[:8] not in page.replace(
        reverse("applications:draft", args=[application.public_id]), ""
    )  # the draft is named by when it was saved, not by a fragment of its id


def test_enterprise_only_item_starts_as_the_enterprise(client, enterprise, published_item):
    from tongban.catalog.models import ItemVersion

    ItemVersion.objects.filter(pk=published_item.current_version_id).update(service_object="2")
    client.force_login(enterprise)
    page = client.get(
        reverse("applications:start", args=[published_item.implementation_code])
    ).content.decode()
    assert "为本人办理" not in page
    assert 'value="enterprise:' in page and " checked>" in page


def test_personal_application_page_shows_no_enterprise_or_agent_fields(
    client, citizen, published_item
):
    client.force_login(citizen)
    application = _begin(client, published_item)
    page = client.get(reverse("applications:draft", args=[application.public_id])).content.decode()
    assert "申请人姓名" in page
    assert "统一社会信用代码" not in page and "经办人姓名" not in page
    assert citizen.phone not in page  # prefilled phone shown masked
