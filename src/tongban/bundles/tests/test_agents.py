"""经办人 (an enterprise's authorised agent, signed in with their citizen account) applies for an
enterprise bundle, as for an item: the authorisation must cover every member item; the enterprise
has one open bundle application whoever applied; the agent sees and corrects it on the bundle pages
— form values as well as files."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongban.accounts.models import AgentAuthorisation, User
from tongban.applications.models import Application
from tongban.bundles.actions import applying
from tongban.bundles.models import BundleApplication
from tongban.bundles.tests.conftest import pdf
from tongban.bundles.tests.test_journeys import answers_for
from tongban.catalog.models import ServiceItem

RESTAURANT_VALUES = {
    "store_name": "示例餐饮魏都店",
    "store_address": "许昌市魏都区示例路88号",
    "business_scope": "餐饮服务；预包装食品销售",
    "food_safety_manager": "赵示范",
    "sign_size": "6×1.2",
    "agent_name": "李演示",
    "delivery_method": "window",
}


@pytest.fixture
def agent(demo_city):
    return User.objects.get(citizen__real_name="李演示")


def submit_as_agent(version, agent, enterprise, key="a1", values=None):
    answers = answers_for(version, 1, 0)  # no public venue; an outdoor sign
    prepared = applying.prepare(version, answers)
    offers = applying.wallet_offers(prepared, agent, enterprise)
    files = {m.key: [pdf()] for m in prepared.asked_materials if m.key not in offers}
    return applying.submit_bundle(
        owner=agent,
        version=version,
        channel="pc",
        answers=answers,
        values=values or RESTAURANT_VALUES,
        files=files,
        use_licences=set(offers),
        enterprise=enterprise,
        licence_consent=True,
        idempotency_key=key,
    )


def test_agent_applies_for_the_enterprise_with_its_authorisation(
    restaurant, agent, enterprise_account
):
    enterprise = enterprise_account.enterprise
    assert applying.enterprises_for(agent) == [enterprise]
    bundle = submit_as_agent(restaurant, agent, enterprise)
    assert bundle.owner == agent and bundle.enterprise == enterprise
    members = Application.objects.filter(bundle_membership__bundle_application=bundle)
    assert members.count() == 3
    assert all(a.enterprise == enterprise and a.agent_authorisation_id for a in members)
    # The enterprise has one open application, whoever of its agents or itself applies again.
    with pytest.raises(ValidationError, match="正在办理中，请勿重复申请"):
        submit_as_agent(restaurant, enterprise_account, enterprise, key="e2")
    assert BundleApplication.objects.count() == 1


def test_authorisation_must_cover_every_member(restaurant, agent, enterprise_account):
    enterprise = enterprise_account.enterprise
    AgentAuthorisation.objects.filter(agent=agent).update(
        all_items=False, item_codes=[member_code(restaurant, "企业变更登记")]
    )
    with pytest.raises(ValidationError) as refused:
        submit_as_agent(restaurant, agent, enterprise)
    text = " ".join(refused.value.messages)
    assert "没有“许昌示例餐饮管理有限公司”办理以下事项的有效授权" in text
    assert "食品经营许可" in text and "企业变更登记" not in text
    AgentAuthorisation.objects.filter(agent=agent).update(revoked_at="2026-01-01T00:00:00Z")
    assert applying.enterprises_for(agent) == []
    assert (
        BundleApplication.objects.count() == 0
        and not Application.objects.filter(owner=agent).exists()
    )


def member_code(version, name):
    items = ServiceItem.objects.filter(
        implementation_code__in=[m.implementation_code for m in version.members.all()]
    ).select_related("current_version", "basic_item")
    return next(i.basic_item.basic_code for i in items if i.current_version.name == name)


def test_agent_pages_choose_the_enterprise(restaurant, newborn, agent, client):
    client.force_login(agent)
    query = "&".join(f"q{q}={o}" for q, o in answers_for(restaurant, 1, 0).items())
    page = client.get(reverse("bundles:apply", args=["restaurant"]) + "?" + query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "代理企业（经办人）" in text and "许昌示例餐饮管理有限公司" in text
    # A personal bundle is the citizen's own: no enterprise to choose.
    query = "&".join(f"q{q}={o}" for q, o in answers_for(newborn, 0).items())
    own = client.get(reverse("bundles:apply", args=["newborn"]) + "?" + query)
    assert "代理企业" not in own.content.decode()


def test_no_authorisation_no_enterprise_bundle(restaurant, agent, client):
    AgentAuthorisation.objects.filter(agent=agent).delete()
    client.force_login(agent)
    query = "&".join(f"q{q}={o}" for q, o in answers_for(restaurant, 1, 0).items())
    page = client.get(reverse("bundles:apply", args=["restaurant"]) + "?" + query)
    assert "由企业法定代表人授权您为经办人" in page.content.decode()
    with pytest.raises(ValidationError, match="请以企业身份办理"):
        submit_as_agent(restaurant, agent, None)


def test_the_enterprise_sees_the_bundles_its_agents_filed(
    restaurant, agent, enterprise_account, client
):
    bundle = submit_as_agent(restaurant, agent, enterprise_account.enterprise)
    client.force_login(enterprise_account)
    listing = client.get(reverse("bundles:mine")).content.decode()
    assert bundle.number in listing and "经办人" in listing and agent.masked_name in listing
    assert agent.display_name not in listing  # the agent's name masked
    page = client.get(reverse("bundles:detail", args=[bundle.public_id]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "以本企业名义提交" in text and "食品经营许可" in text
    # The enterprise follows; the agent who filed it corrects.
    refused = client.post(reverse("bundles:correct", args=[bundle.public_id]))
    assert refused.status_code == 404
    api = client.get(reverse("api:bundles-mine")).json()
    assert [row["number"] for row in api] == [bundle.number]
    assert api[0]["filed_by"] == agent.masked_name
    status = client.get(reverse("api:bundles-status", args=[bundle.public_id]))
    assert status.status_code == 200 and len(status.json()["members"]) == 3


def test_the_agent_sees_its_own_and_another_enterprises_agent_nothing(
    restaurant, agent, enterprise_account, client
):
    from tongban.accounts.models import EnterpriseProfile

    bundle = submit_as_agent(restaurant, agent, enterprise_account.enterprise)
    client.force_login(agent)
    assert bundle.number in client.get(reverse("bundles:mine")).content.decode()
    assert client.get(reverse("bundles:detail", args=[bundle.public_id])).status_code == 200

    other = EnterpriseProfile.objects.exclude(pk=enterprise_account.enterprise.pk).first()
    outsider = User.objects.filter(kind="citizen").exclude(pk=agent.pk).first()
    AgentAuthorisation.objects.create(
        enterprise=other, agent=outsider, all_items=True, valid_until="2099-12-31"
    )
    for viewer in (outsider, other.user):
        client.force_login(viewer)
        assert bundle.number not in client.get(reverse("bundles:mine")).content.decode()
        assert client.get(reverse("bundles:detail", args=[bundle.public_id])).status_code == 404
        assert client.get(reverse("bundles:result_pdf", args=[bundle.public_id])).status_code == 404
        assert client.get(reverse("api:bundles-mine")).json() == []
        missing = client.get(reverse("api:bundles-status", args=[bundle.public_id]))
        assert missing.status_code == 404 and missing.json()["code"]


def test_the_agents_correction_page_offers_the_enterprises_fields_with_their_values(
    restaurant, agent, enterprise_account, client, django_capture_on_commit_callbacks
):
    from tongban.bundles.actions import correcting
    from tongban.bundles.tests.conftest import staff
    from tongban.cases import actions as cases

    with django_capture_on_commit_callbacks(execute=True):
        bundle = submit_as_agent(restaurant, agent, enterprise_account.enterprise)
        change = next(
            a
            for a in Application.objects.filter(bundle_membership__bundle_application=bundle)
            if a.item_version.name == "企业变更登记"
        )
        cases.request_correction(
            application=change, actor=staff("yjsclerk"), items=["门店地址请与营业执照一致"]
        )
    offered = {f.title: f.value for f in correcting.correctable_fields(bundle)}
    # The enterprise's form hides the person's fields: none is offered empty.
    assert "申请人姓名" not in offered and "联系地址" not in offered
    assert all(value not in (None, "") for value in offered.values()), offered
    assert RESTAURANT_VALUES["store_address"] in offered.values()
    client.force_login(agent)
    page = client.get(reverse("bundles:detail", args=[bundle.public_id])).content.decode()
    assert RESTAURANT_VALUES["store_address"] in page and "申请人姓名" not in page
