"""智能秒批: the demo items approve the demo applicants who meet every condition, route those who do
not to a person with the failing clause named, draw spot checks and can be revoked."""

import copy
import datetime
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.accounts.models import CitizenProfile, EnterpriseProfile, User
from tongban.applications import actions as intake
from tongban.applications.models import StatusChange
from tongban.applications.states import Status
from tongban.cases import instant
from tongban.cases.models import Case, InstantApprovalConfig, InstantDecision
from tongban.catalog.models import ServiceItem
from tongban.core import testdata
from tongban.exchange.models import CallRecord
from tongban.licences.models import Licence
from tongban.rules import actions as rules
from tongban.rules.models import RuleSet

LOADERS = [
    "tongban.core.demo.load",
    "tongban.accounts.demo.load",
    "tongban.seals.demo.load",
    "tongban.catalog.demo.load",
    "tongban.exchange.demo.load",
    "tongban.applications.demo.load",
    "tongban.licences.demo.load",
    "tongban.cases.instant_demo.load",
]
RIDE_HAILING, LORRY, HYGIENE = "网约车驾驶员从业资格证核发", "大货车入市通行证", "公共场所卫生许可"


@pytest.fixture(autouse=True)
def _after_commit(django_capture_on_commit_callbacks):
    """The 秒批 check is queued after the submission commits: run it as the worker would."""
    global _commits
    _commits = django_capture_on_commit_callbacks
    yield


@pytest.fixture
def city(db):
    from django.utils.module_loading import import_string

    for dotted in LOADERS:
        import_string(dotted)(lambda _line: None)


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _item(name) -> ServiceItem:
    return ServiceItem.objects.filter(basic_item__name=name, instant_approval__isnull=False).get()


def _citizen(name) -> User:
    return CitizenProfile.objects.get(real_name=name).user


def _apply(owner, item_name, values, *, enterprise=None, answers=None):
    item = _item(item_name)
    application = intake.start_application(
        owner=owner, service_item=item, channel="pc", enterprise=enterprise, answers=answers
    )
    files = {
        row["material"].pk: [SimpleUploadedFile("材料.pdf", _pdf(), "application/pdf")]
        for row in intake.material_checklist(application)
        if row["missing"]
    }
    application.delete()
    with _commits(execute=True):
        return intake.apply_in_one(
            owner=owner,
            service_item=item,
            channel="pc",
            values={"delivery_method": "window", **values},
            files=files,
            answers=answers,
            enterprise=enterprise,
            idempotency_key=str(uuid.uuid4()),
        )


def _ride_hailing(name):
    return _apply(
        _citizen(name),
        RIDE_HAILING,
        {"service_platform": "示例出行平台", "contact_address": "河南省许昌市魏都区示例路1号"},
    )


def _lorry(name, plate, days=30):
    today = timezone.localdate()
    return _apply(
        _citizen(name),
        LORRY,
        {
            "plate_number": plate,
            "start_date": today.isoformat(),
            "end_date": (today + datetime.timedelta(days=days)).isoformat(),
            "work_purpose": "城区工地建材运输",
        },
    )


def _hygiene(enterprise_name, staff_count):
    enterprise = EnterpriseProfile.objects.get(name=enterprise_name)
    item = _item(HYGIENE)
    question = item.current_version.questions.first()
    answers = {question.pk: question.options.first().pk} if question else None
    return _apply(
        enterprise.user,
        HYGIENE,
        {
            "venue_name": "示例理发店",
            "venue_address": "河南省许昌市魏都区示例路8号",
            "venue_kind": "理发店",
            "floor_area": 60,
            "staff_count": staff_count,
            "certified_staff": staff_count,
            "hygiene_manager": "赵示范",
            "agent_name": "赵示范",
            "agent_phone": testdata.phone(9),
        },
        enterprise=enterprise,
        answers=answers,
    )


def _reload(application):
    application.refresh_from_db()
    return application


def test_passing_driver_is_approved_by_the_system_with_licence_and_report(city):
    application = _reload(_ride_hailing("李演示"))

    assert application.status == Status.COMPLETED
    decision = InstantDecision.objects.get(application=application)
    assert decision.outcome == InstantDecision.Outcome.APPROVED
    assert decision.rule_decision.version.rule_set.code == "WYC_JSY_ZGZ"
    moves = list(StatusChange.objects.filter(application=application).order_by("pk"))
    assert [m.to_status for m in moves] == ["submitted", "accepted", "approved", "completed"]
    assert all(m.actor_id is None for m in moves[1:])  # the system acted
    case = Case.objects.get(application=application)
    assert case.accepted_on == timezone.localdate() and case.legal_due_date is not None
    assert case.decision == Case.Decision.APPROVE and case.decided_by is None
    assert "第1版" in case.decision_reason
    step = case.steps.get()
    assert step.name == "智能审核（秒批）" and step.action == "approve"
    licence = Licence.objects.get(application=application)
    assert licence.licence_type.name == "网络预约出租汽车驾驶员证"
    report = decision.report
    assert report.public and report.document.document_type == "review_report"
    titles = {
        title
        for title, _ in instant.report_sections(
            case,
            decision.rule_decision.version,
            decision.rule_decision,
            _outcome(decision),
            approved=True,
        )
    }
    assert "5. 无交通肇事犯罪、危险驾驶犯罪、吸毒、饮酒后驾驶和暴力犯罪记录" in titles
    # the exchange was asked with the case as purpose, and logged
    calls = CallRecord.objects.filter(case_ref=application.case_number)  # the whole number
    assert {c.resource_code for c in calls} == {"RK_RKJBXX", "GA_JDCJSZ", "GA_JSRAQ"}
    summary = instant.summary_for_applicant(application)
    assert summary["state"] == "approved" and summary["licence"] == licence


def _outcome(decision):
    from tongban.rules.interpreter import ClauseTrace, Outcome

    trace = decision.rule_decision.trace
    return Outcome(
        trace["outcome"],
        trace["blocking_clause"],
        [
            ClauseTrace(c["clause"], c["label"], c["basis"], c["result"] == "pass", c["values"])
            for c in trace["clauses"]
        ],
    )


def test_failing_driver_goes_to_a_person_with_the_failed_clause(city):
    application = _reload(_ride_hailing("王测试"))

    assert application.status == Status.SUBMITTED  # ordinary acceptance by the window
    decision = InstantDecision.objects.get(application=application)
    assert decision.outcome == InstantDecision.Outcome.MANUAL
    assert [r["clause"] for r in decision.reasons if r.get("clause")] == ["records"]
    assert decision.reasons[0]["label"].startswith("无交通肇事犯罪")
    assert decision.report is not None and not decision.report.public
    assert not Licence.objects.filter(application=application).exists()
    assert instant.summary_for_applicant(application) == {"state": "manual"}


def test_lorry_pass_for_a_clean_lorry_and_manual_for_an_old_one(city):
    passed = _reload(_lorry("王测试", "豫KH6013"))
    failed = _reload(_lorry("李演示", "豫KH4012"))
    assert passed.status == Status.COMPLETED
    assert Licence.objects.get(application=passed).data["plate_number"] == "豫KH6013"
    assert failed.status == Status.SUBMITTED
    assert [r.get("clause") for r in failed.instant_decision.reasons] == ["emission"]


def test_a_period_over_three_months_is_not_approved(city):
    application = _reload(_lorry("王测试", "豫KH6013", days=120))
    assert application.status == Status.SUBMITTED
    assert "period" in [r.get("clause") for r in application.instant_decision.reasons]


def test_hygiene_licence_for_the_enterprise_whose_staff_all_hold_certificates(city):
    passed = _reload(_hygiene("许昌示例餐饮管理有限公司", 8))
    failed = _reload(_hygiene("许昌示例洗浴服务有限公司", 6))
    assert passed.status == Status.COMPLETED, passed.instant_decision.reasons
    assert Licence.objects.get(application=passed).holder_name == "许昌示例餐饮管理有限公司"
    assert failed.status == Status.SUBMITTED
    assert [r.get("clause") for r in failed.instant_decision.reasons] == ["health_certificates"]


def test_missing_shared_data_never_approves(city):
    # 张示例 (born 1942) has no driving licence on record: unknown, not approved
    application = _reload(_ride_hailing("张示例"))
    assert application.status == Status.SUBMITTED
    details = " ".join(r["detail"] for r in application.instant_decision.reasons)
    assert "没有申请人的记录" in details


def test_switched_off_item_is_left_to_people_and_processing_is_idempotent(city):
    config = InstantApprovalConfig.objects.get(service_item=_item(RIDE_HAILING))
    admin = User.objects.get(login_name="jtcatalog")
    instant.configure(
        actor=admin,
        service_item=config.service_item,
        enabled=False,
        rule_set=config.rule_set,
        sample_percent=0,
        note="数据源核查中，暂停秒批",
    )
    application = _reload(_ride_hailing("李演示"))
    assert application.status == Status.SUBMITTED
    assert not InstantDecision.objects.filter(application=application).exists()
    assert config.changes.last().note == "数据源核查中，暂停秒批"
    # switched on again: a second run of the task changes nothing after the first
    instant.configure(
        actor=admin,
        service_item=config.service_item,
        enabled=True,
        rule_set=config.rule_set,
        sample_percent=0,
    )
    first = instant.process(application.pk)
    assert first.outcome == InstantDecision.Outcome.APPROVED
    assert instant.process(application.pk) is None
    assert InstantDecision.objects.filter(application=application).count() == 1


def test_configuration_is_for_the_item_department_admin_and_checks_its_input(city):
    item = _item(RIDE_HAILING)
    rule_set = RuleSet.objects.get(code="WYC_JSY_ZGZ")
    with pytest.raises(ValidationError, match="事项管理员"):
        instant.configure(
            actor=User.objects.get(login_name="wjcatalog"),
            service_item=item,
            enabled=True,
            rule_set=rule_set,
            sample_percent=10,
        )
    with pytest.raises(ValidationError) as error:
        instant.configure(
            actor=User.objects.get(login_name="jtcatalog"),
            service_item=item,
            enabled=True,
            rule_set=rule_set,
            sample_percent=150,
        )
    assert "抽查比例应为0到100之间的整数" in str(error.value)


def test_new_rule_version_is_used_by_the_next_application(city):
    admin = User.objects.get(login_name="jtcatalog")
    rule_set = RuleSet.objects.get(code="WYC_JSY_ZGZ")
    draft = rules.new_draft(actor=admin, rule_set=rule_set, change_note="驾龄要求提高到20年")
    definition = copy.deepcopy(draft.definition)
    experience = next(c for c in definition["root"]["all"] if c["clause"] == "experience")
    experience["test"]["args"][1] = 20
    rules.update_draft(actor=admin, version=draft, definition=definition)
    with pytest.raises(ValidationError, match="测试用例未通过"):  # "符合全部条件" now fails
        rules.publish(actor=admin, version=draft)
    for case in draft.tests.exclude(name="驾龄不足3年"):  # the fix: drivers licensed in 1990
        case.facts = {**case.facts, "ga_jdcjsz.cclzrq": "1990-04-01"}
        case.save()
    rules.publish(actor=admin, version=draft)

    application = _reload(_ride_hailing("李演示"))  # licensed 2008: 18 years, not 20
    decision = application.instant_decision
    assert decision.rule_decision.version.number == 2
    assert [r.get("clause") for r in decision.reasons] == ["experience"]


def test_spot_check_confirms_or_revokes_with_a_sealed_decision(city):
    config = InstantApprovalConfig.objects.get(service_item=_item(LORRY))
    config.sample_percent = 100
    config.save()
    first = _reload(_lorry("王测试", "豫KH6013"))
    approver = User.objects.get(login_name="gaapprover")
    assert list(instant.spot_check_queue(approver)) == [first.instant_decision]
    assert list(instant.spot_check_queue(User.objects.get(login_name="jtapprover"))) == []

    with pytest.raises(ValidationError):
        instant.revoke(application=first, actor=approver, reason="号牌与实际不符", legal_basis="")
    instant.revoke(
        application=first,
        actor=approver,
        reason="抽查发现车辆实际排放标准与登记不符",
        legal_basis="《中华人民共和国行政许可法》第六十九条第一款",
    )
    first = _reload(first)
    assert first.status == Status.REVOKED
    assert first.instant_decision.spot_check == InstantDecision.Check.REVOKED
    licence = Licence.objects.get(application=first)
    assert licence.status == Licence.Status.REVOKED
    assert first.case.documents.filter(kind="撤销行政许可决定书").exists()

    second = _reload(_lorry("王测试", "豫KH6013", days=10))
    instant.confirm(application=second, actor=approver, note="抽查车辆登记信息一致")
    assert _reload(second).instant_decision.spot_check == InstantDecision.Check.CONFIRMED
    assert list(instant.spot_check_queue(approver)) == []


def test_no_sample_when_the_rate_is_zero(city):
    config = InstantApprovalConfig.objects.get(service_item=_item(LORRY))
    config.sample_percent = 0
    config.save()
    application = _reload(_lorry("王测试", "豫KH6013"))
    assert application.instant_decision.spot_check == ""


def test_pages_show_the_outcome_to_the_applicant_and_the_failed_clause_to_staff(city, client):
    passed = _reload(_ride_hailing("李演示"))
    failed = _reload(_ride_hailing("王测试"))
    client.force_login(passed.owner)
    page = client.get(f"/my/cases/{passed.public_id}/submitted/").content.decode()
    assert "已秒批" in page and "下载电子证照" in page and "具有3年以上驾驶经历" in page
    page = client.get(f"/my/cases/{passed.public_id}/").content.decode()
    assert "已秒批" in page
    client.force_login(User.objects.get(login_name="jtclerk"))
    page = client.get(f"/workbench/cases/{failed.public_id}/").content.decode()
    assert "智能秒批未通过" in page
    assert 'data-failed-clause="records"' in page and "饮酒后驾驶" in page
    report = failed.instant_decision.report
    assert (
        client.get(f"/workbench/cases/{failed.public_id}/documents/{report.pk}.pdf").status_code
        == 200
    )


def test_settings_page_switches_instant_approval_off(city, client):
    admin = User.objects.get(login_name="jtcatalog")
    client.force_login(admin)
    config = InstantApprovalConfig.objects.get(service_item=_item(RIDE_HAILING))
    page = client.get("/workbench/cases/instant/settings/").content.decode()
    assert "网约车驾驶员从业资格证核发" in page and "秒批已开启" in page
    response = client.post(
        f"/workbench/cases/instant/settings/{config.service_item_id}/",
        {"rule_set": config.rule_set_id, "sample_percent": "abc"},
    )
    assert response.status_code == 302
    config.refresh_from_db()
    assert config.enabled  # bad input changed nothing
    client.post(
        f"/workbench/cases/instant/settings/{config.service_item_id}/",
        {"rule_set": config.rule_set_id, "sample_percent": "5", "note": "暂停"},
    )
    config.refresh_from_db()
    assert not config.enabled and config.sample_percent == 5
    client.force_login(User.objects.get(login_name="wjcatalog"))
    response = client.post(
        f"/workbench/cases/instant/settings/{config.service_item_id}/",
        {"enabled": "on", "rule_set": config.rule_set_id, "sample_percent": "5"},
    )
    assert response.status_code == 403


# --- shared data from department systems, asked side by side -------------------------------------

DRIVER_SOURCES = ("RK_RKJBXX", "GA_JDCJSZ", "GA_JSRAQ")


@pytest.fixture
def department_systems(city, monkeypatch):
    """The 网约车 item's three sources answered by department systems (the HTTP provider) instead
    of local copies. `behaviour[code]` runs in the provider's fetch before it answers with the
    rows the demo holds; it may raise ProviderUnavailable or wait. Only the 秒批 check's calls
    (on its pool's threads) behave so; the form's prefill asks the same systems and is answered."""
    import json
    import threading

    from tongban.core import pii
    from tongban.exchange.models import LocalRecord, Resource
    from tongban.exchange.plugins import HttpProvider, subject_index

    rows = {}
    for code in DRIVER_SOURCES:
        version = Resource.objects.get(code=code).current_version
        rows[code] = {
            r.subject_index: json.loads(pii.decrypt(r.data))
            for r in LocalRecord.objects.filter(resource_id=version.resource_id)
        }
        version.provider_plugin = "http"
        version.provider_options = {"url": "http://department.invalid/query", "retries": 0}
        version.save()
    behaviour = {code: (lambda: None) for code in DRIVER_SOURCES}
    threads = []

    def fetch(self, version, items, subjects):
        if threading.current_thread().name.startswith("instant-query"):
            threads.append(version.resource.code)
            behaviour[version.resource.code]()
        known = rows[version.resource.code]
        answer = {}
        for subject in subjects:
            found = known.get(subject_index(version, subject))
            answer[subject] = None if found is None else {i.code: found.get(i.code) for i in items}
        return answer

    monkeypatch.setattr(HttpProvider, "fetch", fetch)
    return behaviour, threads


def test_department_systems_are_asked_side_by_side(department_systems):
    import threading

    behaviour, threads = department_systems
    # Each answer waits until all three calls are in flight: asked one after the other, the first
    # would wait in vain and the barrier would break.
    together = threading.Barrier(len(DRIVER_SOURCES), timeout=10)
    for code in DRIVER_SOURCES:
        behaviour[code] = together.wait
    application = _reload(_ride_hailing("李演示"))

    assert application.status == Status.COMPLETED
    assert sorted(threads) == sorted(DRIVER_SOURCES)  # each asked once, on the pool
    calls = CallRecord.objects.filter(case_ref=application.case_number)
    assert {(c.resource_code, c.outcome) for c in calls} == {
        (code, CallRecord.Outcome.ANSWERED) for code in DRIVER_SOURCES
    }


def test_one_failing_department_system_sends_the_case_to_a_person_naming_it(department_systems):
    from tongban.exchange.actions.errors import ProviderUnavailable

    behaviour, _ = department_systems

    def down():
        raise ProviderUnavailable("提供方接口返回错误（HTTP 503）")

    behaviour["GA_JSRAQ"] = down
    application = _reload(_ride_hailing("李演示"))

    assert application.status == Status.SUBMITTED  # left for the window
    decision = InstantDecision.objects.get(application=application)
    assert decision.outcome == InstantDecision.Outcome.MANUAL
    [problem] = [r for r in decision.reasons if r.get("source")]
    assert problem["source"] == "GA_JSRAQ" and "HTTP 503" in problem["detail"]
    calls = {
        c.resource_code: c.outcome
        for c in CallRecord.objects.filter(case_ref=application.case_number)
    }
    assert calls == {
        "RK_RKJBXX": CallRecord.Outcome.ANSWERED,
        "GA_JDCJSZ": CallRecord.Outcome.ANSWERED,
        "GA_JSRAQ": CallRecord.Outcome.FAILED,
    }


def test_a_department_system_that_does_not_answer_in_time_sends_the_case_to_a_person(
    department_systems, settings
):
    import threading

    behaviour, _ = department_systems
    settings.INSTANT_APPROVAL_QUERY_SECONDS = 1
    released = threading.Event()
    behaviour["GA_JDCJSZ"] = lambda: released.wait(10)
    try:
        application = _reload(_ride_hailing("李演示"))
    finally:
        released.set()

    assert application.status == Status.SUBMITTED
    decision = InstantDecision.objects.get(application=application)
    [problem] = [r for r in decision.reasons if r.get("source")]
    assert problem["source"] == "GA_JDCJSZ" and "1秒内没有答复" in problem["detail"]
    failed = CallRecord.objects.get(case_ref=application.case_number, resource_code="GA_JDCJSZ")
    assert failed.outcome == CallRecord.Outcome.FAILED and "没有答复" in failed.reason
