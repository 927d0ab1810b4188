"""The two demo bundles end to end at the service layer: one submission, one member application
per chosen item, 一窗受理, each department deciding its member, the dependent member starting by
itself with its prerequisite's licence, one timeline and one sealed joint result."""

from tongban.applications.models import Application
from tongban.bundles.actions import applying, joint, window
from tongban.bundles.models import BundleApplication, MemberApplication
from tongban.bundles.tests.conftest import pdf, staff
from tongban.licences.models import Licence, LicenceUse
from tongban.testing.bundles import accept_waiting, decide

NEWBORN_VALUES = {
    "baby_name": "李小满",
    "baby_gender": "女",
    "baby_birth_date": "2026-11-20",
    "birth_hospital": "许昌市中心医院",
    "mother_name": "李演示",
    "household_relation": "女",
    "insured_region": "魏都区",
    "bank_name": "中国工商银行",
    "delivery_method": "window",
}


def answers_for(version, *choices):
    """Option positions per question, in question order → {question id: option id}."""
    out = {}
    for question, position in zip(version.questions.order_by("position"), choices, strict=True):
        out[question.pk] = question.options.get(position=position).pk
    return out


def newborn_files(version, answers):
    prepared = applying.prepare(version, answers)
    return {m.key: [pdf(f"{m.name}.pdf")] for m in prepared.asked_materials}


def submit_newborn(version, parent, key="k1", **extra):
    answers = answers_for(version, 0)
    return applying.submit_bundle(
        owner=parent,
        version=version,
        channel="pc",
        answers=answers,
        values=NEWBORN_VALUES,
        files=newborn_files(version, answers),
        licence_consent=True,
        idempotency_key=key,
        **extra,
    )


def member(bundle, name) -> Application:
    row = next(r for r in joint.memberships(bundle) if r.application.item_version.name == name)
    return Application.objects.get(pk=row.application_id)


def test_newborn_one_form_to_one_joint_result(newborn, parent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bundle = submit_newborn(newborn, parent)
    rows = list(joint.memberships(bundle))
    assert [r.application.item_version.name for r in rows] == [
        "出生医学证明",
        "出生登记",
        "城乡居民基本医疗保险参保登记",
        "社会保障卡申领",
    ]
    started = [r for r in rows if r.state == MemberApplication.State.STARTED]
    assert [r.application.status for r in started] == ["submitted"]
    assert started[0].application.case_number  # its own case number, its own department
    assert {r.application.data["baby_name"] for r in rows} == {"李小满"}  # asked once, in each form
    assert all(r.application.pipeline.count() == 2 for r in started)  # intake's persisted hand-off
    # The same submission again (double click, retry) is the same bundle: nothing created twice.
    again = submit_newborn(newborn, parent)
    assert again.pk == bundle.pk and Application.objects.filter(owner=parent).count() == 4

    with django_capture_on_commit_callbacks(execute=True):
        accepted = window.accept_all(bundle=bundle, actor=staff("yjsclerk"))
    assert accepted == [started[0].application.case_number]
    bundle.refresh_from_db()
    assert bundle.status == "handling" and bundle.due_date is not None

    with django_capture_on_commit_callbacks(execute=True):
        decide(member(bundle, "出生医学证明"))
    certificate = Licence.objects.get(application=member(bundle, "出生医学证明"))
    registration = member(bundle, "出生登记")
    insurance = member(bundle, "城乡居民基本医疗保险参保登记")
    # Both dependants started by themselves, the certificate standing for the material (免证可办).
    assert registration.status == insurance.status == "submitted"
    assert LicenceUse.objects.filter(application=registration, licence=certificate).exists()
    assert not registration.files.filter(material__name="出生医学证明").exists()
    assert member(bundle, "社会保障卡申领").status == "draft"  # waits for 参保

    for name in ("出生登记", "城乡居民基本医疗保险参保登记"):
        with django_capture_on_commit_callbacks(execute=True):
            accept_waiting(bundle)
            decide(member(bundle, name))
        bundle.refresh_from_db()
        assert bundle.status != "completed"
    with django_capture_on_commit_callbacks(execute=True):
        assert member(bundle, "社会保障卡申领").status == "submitted"  # started after 参保
        decide(member(bundle, "社会保障卡申领"))  # 即办件: decided at once at the 人社 window
    bundle.refresh_from_db()
    assert bundle.status == "completed" and bundle.result_document is not None
    document = bundle.result_document
    assert document.title == "新生儿出生一件事联合办结通知书"
    text = " ".join(str(v) for v in document.__dict__.values())
    assert document.department.name == "许昌市卫生健康委员会", text
    actions = [e["action"] for e in joint.timeline(bundle)]
    assert actions[0] == "一件事申报" and "签发联合办结通知书" in actions
    items = {e["item"] for e in joint.timeline(bundle)}
    assert {"出生医学证明", "出生登记", "社会保障卡申领"} <= items


def test_restaurant_food_licence_starts_with_the_changed_business_licence(
    restaurant, enterprise_account, django_capture_on_commit_callbacks
):
    enterprise = enterprise_account.enterprise
    answers = answers_for(restaurant, 1, 0)  # no public venue; an outdoor sign
    prepared = applying.prepare(restaurant, answers)
    names = [p.name for p in prepared.plans]
    assert names == ["企业变更登记", "食品经营许可", "设置大型户外广告审批"]
    licence_row = next(m for m in prepared.materials if m.name == "营业执照")
    assert licence_row.members == ["食品经营许可", "设置大型户外广告审批"]  # asked once
    offers = applying.wallet_offers(prepared, enterprise_account, enterprise)
    assert licence_row.key in offers  # the enterprise's own 营业执照 from its wallet
    files = {m.key: [pdf()] for m in prepared.asked_materials if m.key != licence_row.key}
    values = {
        "store_name": "示例餐饮魏都店",
        "store_address": "许昌市魏都区示例路88号",
        "business_scope": "餐饮服务；预包装食品销售",
        "food_safety_manager": "赵示范",
        "sign_size": "6×1.2",
        "agent_name": "赵示范",
        "delivery_method": "window",
    }
    with django_capture_on_commit_callbacks(execute=True):
        bundle = applying.submit_bundle(
            owner=enterprise_account,
            version=restaurant,
            channel="pc",
            answers=answers,
            values=values,
            files=files,
            use_licences={licence_row.key},
            enterprise=enterprise,
            licence_consent=True,
            idempotency_key="r1",
        )
    food = member(bundle, "食品经营许可")
    assert food.status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        window.accept_all(bundle=bundle, actor=staff("yjsclerk"))
        decide(member(bundle, "企业变更登记"))
    food.refresh_from_db()
    assert food.status == "submitted"
    business = Licence.objects.get(application=member(bundle, "企业变更登记"))
    assert business.version > 1  # 变更: a new version of the enterprise's 营业执照
    assert LicenceUse.objects.filter(application=food, licence=business).exists()
    # The applicant refused on the outdoor sign: the others are not held back.
    with django_capture_on_commit_callbacks(execute=True):
        window.accept_all(bundle=bundle, actor=staff("yjsclerk"))
        decide(member(bundle, "食品经营许可"))
        decide(member(bundle, "设置大型户外广告审批"), approve=False)
    bundle.refresh_from_db()
    assert bundle.status == "completed"
    results = {r["name"]: r for r in map(joint.member_result, joint.memberships(bundle))}
    assert results["设置大型户外广告审批"]["refused"]
    assert results["设置大型户外广告审批"]["reason"] == "不符合条件"
    assert results["食品经营许可"]["licences"]
    assert BundleApplication.objects.get(pk=bundle.pk).result_document is not None
