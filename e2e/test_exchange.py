"""The data exchange in a browser, at PC and phone size: a 民政 case handler asks for 不动产登记信息
(有条件共享) for the 民政社会救助系统; the call is refused until the platform administrator approves
the request in the workbench; then the same call succeeds. The elderly demo citizen then sees in
their 用数记录 which system read their data, for what purpose and case."""

import pytest
from journeys import SIZES

from tongban.exchange.actions import query
from tongban.exchange.actions.errors import ExchangeDenied
from tongban.exchange.demo import population
from tongban.exchange.models import AccessRequest, Consumer, Resource

ELDER_PHONE = "17000000001"  # 张示例


def _call(purpose: str, case: str):
    elder = population.people()[0]
    return query.query(
        consumer=Consumer.objects.get(code="mz.jzxt"),
        resource_code="ZR_BDCDJ",
        subjects=[elder.id_number],
        items=["qlr", "bdcqzh"],
        purpose=purpose,
        case_ref=case,
    )


def _request_in_browser(j) -> None:
    j.login("handler")
    j.go("/workbench/exchange/?q=不动产")
    j.shot("catalogue-search")
    j.page.locator("a", has_text="不动产登记信息").first.click()
    j.page.wait_for_load_state()
    assert "有条件共享" in j.text()
    j.shot("resource")
    j.page.locator("a", has_text="申请使用").click()
    j.page.wait_for_load_state()
    j.page.select_option("#id_consumer", label="民政社会救助系统")
    j.page.check("input[name=items][value=qlr]")
    j.page.check("input[name=items][value=bdcqzh]")
    j.page.fill("#id_purpose", "社会救助家庭财产核对")
    j.page.fill("#id_legal_basis", "《社会救助暂行办法》第十一条")
    j.shot("request-form")
    j.page.locator("button", has_text="提交申请").click()
    j.page.wait_for_load_state()
    assert "等待提供部门审核" in j.text()
    j.shot("request-submitted")
    j.logout()


def _approve_in_browser(j) -> None:
    j.login("admin")
    j.go("/workbench/exchange/requests/")
    assert "社会救助家庭财产核对" in j.text()
    j.shot("requests")
    request = AccessRequest.objects.get(purpose="社会救助家庭财产核对")
    form = j.page.locator(f"#request-{request.pk} form").first
    form.locator("input[name=note]").fill("同意，限救助核对使用")
    form.locator("button", has_text="同意").click()
    j.page.wait_for_load_state()
    assert "授权即时生效" in j.text()
    j.shot("approved")
    j.go("/workbench/exchange/grants/")
    assert "社会救助家庭财产核对" in j.text()
    j.shot("grants")
    j.logout()


@pytest.mark.parametrize("size", SIZES)
def test_access_request_approved_and_the_citizens_data_use(journey, size):
    assert Resource.objects.get(code="ZR_BDCDJ").current_version.share_condition == "conditional"
    with pytest.raises(ExchangeDenied, match="未获得该数据资源的共享授权"):
        _call("社会救助家庭财产核对", "MZ-2026-0001")

    staff = journey(size, "staff")
    _request_in_browser(staff)
    _approve_in_browser(staff)
    answer = _call("社会救助家庭财产核对", "MZ-2026-0002")
    assert answer.found

    citizen = journey(size, "citizen")
    citizen.login(ELDER_PHONE)
    citizen.go("/data-use/")
    text = citizen.text()
    assert "民政社会救助系统" in text and "不动产登记信息" in text
    assert "社会救助家庭财产核对" in text and "MZ-2026-0002" in text
    assert "MZ-2026-0001" not in text  # the refused call read nothing
    citizen.shot("data-use")
    citizen.elderly()
    citizen.shot("data-use-elderly")
