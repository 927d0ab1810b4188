"""Issue 25 in a browser: an enterprise's 经办人 does 开办餐饮店一件事 for it.

The agent (a citizen authorised by the enterprise, signed in with their own account) answers the
guide, fills the one form for the enterprise and uploads each material once; the enterprise account
sees the bundle in 我的一件事 with who filed it and follows it read-only; 市场监管 asks for a 补正 of
the store's address, which the 食品经营许可 waiting for its turn asks too: the agent corrects it once
on the bundle page and both members get it.
"""

import pytest
from journeys import follow, off_loop
from test_bundles import _member, upload_each_once

from tongban.bundles.models import BundleApplication

AGENT = "17000000002"  # 李演示, 经办人 of 许昌示例餐饮管理有限公司 in the demo

VALUES = {
    "store_name": "示例餐饮魏都店",
    "store_address": "许昌市魏都区示例路88号",
    "business_scope": "餐饮服务；预包装食品销售",
    "food_safety_manager": "赵示范",
    "sign_size": "6×1.2",
    "agent_name": "李演示",
}


def _fill_one_form(j, tmp_path) -> None:
    page = j.page
    for name, value in VALUES.items():
        field = page.locator(f"[name={name}]")
        if field.count() and field.is_editable():  # what the platform knows is shown, not typed
            field.fill(value)
    upload_each_once(page, tmp_path)


@pytest.mark.parametrize("size", ["phone", "pc"])
def test_agent_files_the_restaurant_bundle_for_the_enterprise(journey, tmp_path, size):
    from tongban.accounts import demo as accounts_demo
    from tongban.cases import actions as cases
    from tongban.testing.factories import demo_staff as staff_user

    agent = journey(size, "citizen")
    agent.login(AGENT)
    agent.go("/bundles/restaurant/")
    agent.page.locator("fieldset", has_text="公共场所").get_by_label("否").check()
    agent.page.locator("fieldset", has_text="户外招牌").get_by_label("是").check()
    follow(agent, agent.page.get_by_role("button", name="查看要办的事项和材料"))
    follow(agent, agent.page.get_by_role("link", name="开始一表申请"))
    assert "代理企业（经办人）" in agent.text() and "许昌示例餐饮管理有限公司" in agent.text()
    _fill_one_form(agent, tmp_path)
    agent.shot("agent-one-form")
    follow(agent, agent.page.get_by_role("button", name="一次提交全部事项"))
    problems = agent.page.locator(".error-summary")
    assert not problems.count(), problems.first.inner_text()
    assert "已提交" in agent.text()
    bundle = BundleApplication.objects.get()
    assert bundle.enterprise.name == "许昌示例餐饮管理有限公司"

    # The enterprise account sees what its agent filed in its name, and who filed it.
    login = next(row[1] for row in accounts_demo.logins() if row[0].startswith("法人"))
    enterprise = journey(size, "enterprise")
    enterprise.login(login)
    enterprise.go("/bundles/mine/")
    assert bundle.number in enterprise.text() and "经办人" in enterprise.text()
    enterprise.shot("enterprise-sees-agents-bundle")
    follow(enterprise, enterprise.page.get_by_role("link", name=bundle.version.name))
    assert "以本企业名义提交" in enterprise.text()
    assert not enterprise.page.get_by_role("button", name="补正完毕，重新提交").count()

    # 市场监管 asks to correct the store's address; the agent corrects it once for both members.
    def ask():
        cases.request_correction(
            application=_member(bundle, "企业变更登记"),
            actor=staff_user("yjsclerk"),
            items=["经营场所地址与房屋权属证明不一致，请更正"],
        )

    off_loop(ask)
    agent.go(f"/bundles/case/{bundle.public_id}/")
    assert "需要补正" in agent.text()
    address = agent.page.locator("[name=value_store_address]")
    assert address.input_value() == VALUES["store_address"]
    address.fill("许昌市魏都区示例路86号")
    agent.shot("agent-corrects-once")
    follow(agent, agent.page.get_by_role("button", name="补正完毕，重新提交"))
    assert "补正材料已提交" in agent.text()
    agent.shot("agent-corrected")
    for name in ("企业变更登记", "食品经营许可"):
        member = _member(bundle, name)
        member.refresh_from_db()
        assert member.data["store_address"] == "许昌市魏都区示例路86号", name
    enterprise.go(f"/bundles/case/{bundle.public_id}/")
    assert "补正后重新提交" in enterprise.text()
    enterprise.shot("enterprise-follows")
