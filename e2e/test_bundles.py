"""Issue 25 in a browser: 高效办成一件事.

新生儿出生一件事: a parent answers one question, fills one form and uploads each material once for four
items of four departments; the 一件事 window accepts the whole bundle at once; each department handles
its own member in the workbench (承办 → 审核 → 批准 → 办结); 出生登记 and 医保参保 start by themselves
with the 出生医学证明 licence, 社保卡 after 参保; the parent follows one timeline and downloads the one
sealed joint result. 开办餐饮店一件事: the enterprise applies the same way; the 食品经营许可 starts by itself
once the changed 营业执照 is issued.
"""

import pytest
from journeys import follow, off_loop, pdf_file

from tongban.bundles.models import BundleApplication


def _member(bundle, name):
    from tongban.bundles.actions import joint

    return next(
        r.application for r in joint.memberships(bundle) if r.application.item_version.name == name
    )


def upload_each_once(page, tmp_path) -> None:
    """结果领取 once for every item, and a file for each merged material the wallet does not give."""
    page.get_by_label("窗口领取").check()
    real = str(pdf_file(tmp_path))
    inputs = page.locator("input[type=file]")
    for index in range(inputs.count()):
        field = inputs.nth(index)
        use = field.locator("xpath=..").locator("input[type=checkbox][name^=use_]")
        if use.count() and use.is_checked():
            continue  # 免证可办: the wallet's licence stands for it
        field.set_input_files(real)


def _apply(j, tmp_path, values: dict, selects: dict) -> None:
    page = j.page
    for name, value in values.items():
        page.fill(f"[name={name}]", value)
    for name, value in selects.items():
        page.select_option(f"select[name={name}]", value)
    upload_each_once(page, tmp_path)
    j.shot("one-form-filled")
    follow(j, page.get_by_role("button", name="一次提交全部事项"))
    problems = page.locator(".error-summary")
    assert not problems.count(), problems.first.inner_text()


def _handle_in_workbench(j, application, key: str, shots: bool) -> None:
    """The department's own people take their member through review and 办结 on its case page."""
    for role, step in (("handler", "承办"), ("reviewer", "审核"), ("approver", "批准")):
        j.login(f"{key}_{role}")
        j.go(f"/workbench/cases/{application.public_id}/")
        details = j.page.locator("details", has=j.page.locator("summary", has_text=step)).first
        details.locator("input[name=action][value=approve]").check()  # nothing is preselected
        details.locator("textarea[name=opinion]").fill(f"{step}：符合条件")
        follow(j, details.locator("button", has_text="提交"))
    j.login(f"{key}_handler")
    j.go(f"/workbench/cases/{application.public_id}/")
    j.page.get_by_label("我已核对审批结果和将签发的文书，确认办结").check()
    follow(j, j.page.get_by_role("button", name="出证办结"))
    assert "已办结" in j.text()
    if shots:
        j.shot(f"{key}-completed")


def _accept_whole_bundle(j, bundle, shot: str = "") -> None:
    j.login("yjsclerk")
    j.go(f"/workbench/bundles/case/{bundle.public_id}/")
    if shot:
        j.shot(shot)
    follow(j, j.page.get_by_role("button", name="一窗受理全部事项"))
    assert "已一窗受理" in j.text()


@pytest.mark.parametrize(("citizen_size", "staff_size"), [("phone", "pc"), ("pc", "phone")])
def test_newborn_bundle_one_form_departments_one_result(
    journey, tmp_path, citizen_size, staff_size
):
    citizen = journey(citizen_size, "citizen")
    staff = journey(staff_size, "staff")
    citizen.login("17000000002")  # 李演示
    citizen.go("/bundles/")
    citizen.shot("bundles")
    follow(citizen, citizen.page.get_by_role("link", name="新生儿出生一件事"))
    citizen.page.get_by_label("是，一并申领").check()
    follow(citizen, citizen.page.get_by_role("button", name="查看要办的事项和材料"))
    assert "每样只交一次" in citizen.text()
    citizen.shot("one-guide")
    follow(citizen, citizen.page.get_by_role("link", name="开始一表申请"))
    assert citizen.page.locator("[name=baby_name]").count() == 1
    _apply(
        citizen,
        tmp_path,
        {
            "baby_name": "李小满",
            "baby_birth_date": "2026-11-20",
            "birth_hospital": "许昌市中心医院",
            "mother_name": "李演示",
        },
        {
            "baby_gender": "女",
            "household_relation": "女",
            "insured_region": "魏都区",
            "bank_name": "中国工商银行",
        },
    )
    assert "已提交" in citizen.text() and "等待前置事项办结" in citizen.text()
    citizen.shot("joint-status-submitted")
    bundle = BundleApplication.objects.get()

    _accept_whole_bundle(staff, bundle, "side-by-side")
    _handle_in_workbench(staff, _member(bundle, "出生医学证明"), "wj", shots=True)
    citizen.go(f"/bundles/case/{bundle.public_id}/")
    assert "自动启动后续事项" in citizen.text()
    citizen.shot("dependants-started")

    _accept_whole_bundle(staff, bundle)
    _handle_in_workbench(staff, _member(bundle, "出生登记"), "ga", shots=False)
    _handle_in_workbench(staff, _member(bundle, "城乡居民基本医疗保险参保登记"), "yb", shots=False)
    card = _member(bundle, "社会保障卡申领")  # 即办件: accepted and decided at the 人社 window
    staff.login("rs_window")
    staff.go(f"/workbench/cases/{card.public_id}/")
    details = staff.page.locator(
        "details", has=staff.page.locator("summary", has_text="即办件当场办结")
    ).first
    details.locator("summary").click()
    assert details.locator("input[name=decision]:checked").count() == 0  # nothing pre-selected
    details.locator("input[name=decision][value=approve]").check()
    details.locator("textarea[name=opinion]").fill("当场制卡")
    staff.shot("immediate-decision")
    follow(staff, details.locator("button", has_text="受理并当场作出决定"))
    staff.page.get_by_label("我已核对审批结果和将签发的文书，确认办结").check()
    follow(staff, staff.page.get_by_role("button", name="出证办结"))
    staff.go(f"/workbench/bundles/case/{bundle.public_id}/")
    assert "已办结" in staff.text()
    staff.shot("all-members-completed")

    citizen.go(f"/bundles/case/{bundle.public_id}/")
    text = citizen.text()
    assert "签发联合办结通知书" in text and "出生医学证明" in text and "社会保障卡申领" in text
    citizen.shot("one-timeline-completed")
    with citizen.page.expect_download() as download:
        citizen.page.get_by_role("link", name="下载联合办结通知书").click()
    assert download.value.suggested_filename.startswith("新生儿出生一件事联合办结通知书")
    assert download.value.path().read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("size", ["phone", "pc"])
def test_restaurant_bundle_food_licence_starts_after_business_licence(journey, tmp_path, size):
    from tongban.accounts import demo as accounts_demo
    from tongban.testing.bundles import accept_waiting, decide

    login = next(row[1] for row in accounts_demo.logins() if row[0].startswith("法人"))
    enterprise = journey(size, "enterprise")
    staff = journey("pc" if size == "phone" else "phone", "staff")
    enterprise.login(login)
    enterprise.go("/bundles/restaurant/")
    enterprise.page.locator("fieldset", has_text="公共场所").get_by_label("否").check()
    enterprise.page.locator("fieldset", has_text="户外招牌").get_by_label("是").check()
    follow(enterprise, enterprise.page.get_by_role("button", name="查看要办的事项和材料"))
    assert "前一事项办结后自动启动" in enterprise.text()
    enterprise.shot("one-guide")
    follow(enterprise, enterprise.page.get_by_role("link", name="开始一表申请"))
    _apply(
        enterprise,
        tmp_path,
        {
            "store_name": "示例餐饮魏都店",
            "store_address": "许昌市魏都区示例路88号",
            "business_scope": "餐饮服务；预包装食品销售",
            "food_safety_manager": "赵示范",
            "sign_size": "6×1.2",
            "agent_name": "赵示范",
        },
        {},
    )
    assert "已提交" in enterprise.text()
    bundle = BundleApplication.objects.get()
    food = _member(bundle, "食品经营许可")
    assert food.status == "draft"

    _accept_whole_bundle(staff, bundle, "side-by-side")
    _handle_in_workbench(staff, _member(bundle, "企业变更登记"), "sj", shots=True)
    food.refresh_from_db()
    assert food.status == "submitted"  # started by itself with the new 营业执照
    enterprise.go(f"/bundles/case/{bundle.public_id}/")
    assert "使用电子证照 营业执照（免提交）" in enterprise.text()
    enterprise.shot("food-licence-started")

    def finish():
        accept_waiting(bundle)
        decide(_member(bundle, "食品经营许可"))
        decide(_member(bundle, "设置大型户外广告审批"))

    off_loop(finish)
    enterprise.go(f"/bundles/case/{bundle.public_id}/")
    assert "签发联合办结通知书" in enterprise.text()
    enterprise.shot("completed")
    with enterprise.page.expect_download() as download:
        enterprise.page.get_by_role("link", name="下载联合办结通知书").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
