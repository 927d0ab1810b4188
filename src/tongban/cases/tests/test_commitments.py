"""容缺受理 and 告知承诺 (standards §4): a secondary material supplied after acceptance by a deadline
never past the promised one, with reminders and the system ending the case when it never comes;
a commitment standing in for a proof, checked afterwards, and a false one refusing or revoking
the licence and barring the applicant from committing again."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.applications import actions as intake
from tongban.applications.models import MaterialCommitment, StatusChange
from tongban.applications.states import Status
from tongban.cases import actions, commitments
from tongban.cases.models import Case
from tongban.catalog import actions as catalog
from tongban.catalog.actions import MaterialSpec
from tongban.core.models import AuditRecord
from tongban.credit.models import CreditRecord
from tongban.notify.models import Notification
from tongban.testing.catalog import complete_item
from tongban.testing.clock import at
from tongban.testing.factories import pdf_bytes
from tongban.workflow.models import WorkflowInstance

pytestmark = pytest.mark.django_db
D = datetime.date
Kind, State = MaterialCommitment.Kind, MaterialCommitment.State


@pytest.fixture
def item(department, team):
    """A 承诺件 (legal 20, promised 5 working days): an application form, a 卫生管理制度 the
    applicant may replace by a commitment, and a 检测报告 that may follow after acceptance."""
    with at(D(2026, 9, 1)):
        item, draft = complete_item(
            department,
            code="010101003000",
            name="公共场所卫生许可",
            handling_type="2",
            legal_limit=20,
            promised_limit=5,
        )
        catalog.set_structure(
            actor=None,
            version=draft,
            handling_items=[],
            materials=[
                MaterialSpec("申请书", "申请人"),
                MaterialSpec("卫生管理制度", "申请人", commitment_replaceable=True),
                MaterialSpec("卫生检测报告", "检测机构", allows_deficiency=True),
            ],
            questions=[],
        )
        catalog.publish(actor=team["catalogue"], version=draft)
    item.refresh_from_db()
    return item


def _material(application, name):
    return next(m for m in intake.required_materials(application) if m.name == name)


def _upload(application, owner, name):
    intake.attach_file(
        application=application,
        actor=owner,
        material_id=_material(application, name).pk,
        uploaded=SimpleUploadedFile(f"{name}.pdf", pdf_bytes()),
    )


def _apply(owner, item, *, commit=(), defer=(), upload=("申请书", "卫生管理制度", "卫生检测报告")):
    application = intake.start_application(owner=owner, service_item=item, channel="pc")
    intake.save_section(
        application=application, actor=owner, section=1, raw={"request_detail": "申请办理许可"}
    )
    intake.save_section(
        application=application, actor=owner, section=2, raw={"delivery_method": "window"}
    )
    for name in upload:
        if name not in commit and name not in defer:
            _upload(application, owner, name)
    for kind, names in ((Kind.COMMITMENT, commit), (Kind.DEFERRED, defer)):
        for name in names:
            intake.sign_commitment(
                application=application,
                actor=owner,
                material_id=_material(application, name).pk,
                kind=kind,
                agreed=True,
            )
    return intake.submit(application=application, actor=owner)


def _review_to_last_step(application, team):
    for who in ("handler", "reviewer"):
        step = application.case.steps.get(finished_at=None)
        actions.complete_step(
            application=application,
            actor=team[who],
            step_id=step.pk,
            action="approve",
            opinion="符合条件",
        )
    return application.case.steps.get(finished_at=None)


def _approve(application, team):
    step = application.case.steps.get(finished_at=None)
    return actions.complete_step(
        application=application,
        actor=team["approver"],
        step_id=step.pk,
        action="approve",
        opinion="准予许可",
    )


def _check(application, who, *, truthful: bool, note: str, commitment=None):
    return commitments.verify_commitment(
        application=application,
        actor=who,
        commitment_id=(commitment or application.commitments.get()).pk,
        truthful=truthful,
        note=note,
    )


# --- 容缺受理 -----------------------------------------------------------------------------------------


def test_deferred_material_accepted_with_a_deadline_capped_at_the_promised_date(
    citizen, team, item, settings
):
    settings.CASE_DEFERRED_MATERIAL_WORKING_DAYS = 10  # longer than the promised 5: capped
    with at(D(2026, 11, 2)):  # Monday
        application = _apply(citizen, item, defer=["卫生检测报告"])
        assert application.status == Status.SUBMITTED
        actions.accept(application=application, actor=team["clerk"])
    application.refresh_from_db()
    case = application.case
    deferred = application.commitments.get()
    assert case.promised_due_date == D(2026, 11, 9)
    assert deferred.supply_by == D(2026, 11, 9)  # never past the promised time limit
    notice = case.documents.get(kind="受理通知书")
    assert "容缺受理" in application.events.get(action="容缺受理").opinion
    assert notice.document.number

    with at(D(2026, 11, 4)):
        last = _review_to_last_step(application, team)
        with pytest.raises(ValidationError, match="容缺材料尚未补交（卫生检测报告）"):
            _approve(application, team)
    last.refresh_from_db()
    application.refresh_from_db()
    assert last.is_open and application.status == Status.ACCEPTED  # nothing changed

    with at(D(2026, 11, 5)):
        intake.supply_deferred_material(
            application=application,
            actor=citizen,
            material_id=deferred.material_id,
            uploaded=SimpleUploadedFile("检测报告.pdf", pdf_bytes()),
        )
        with pytest.raises(ValidationError, match="已补交"):
            intake.supply_deferred_material(
                application=application,
                actor=citizen,
                material_id=deferred.material_id,
                uploaded=SimpleUploadedFile("检测报告.pdf", pdf_bytes()),
            )
        _approve(application, team)
    application.refresh_from_db()
    deferred.refresh_from_db()
    assert deferred.state == State.SUPPLIED
    supplied = AuditRecord.objects.get(action="applications.commitment_supplied")
    assert (supplied.detail["from"], supplied.detail["to"]) == ("signed", "supplied")
    assert application.files.filter(material_id=deferred.material_id).count() == 1
    assert application.status == Status.APPROVED


def test_deferred_material_reminders_then_the_system_ends_the_case_when_it_never_comes(
    citizen, team, item
):
    with at(D(2026, 11, 2)):
        application = _apply(citizen, item, defer=["卫生检测报告"])
        actions.accept(application=application, actor=team["clerk"])
    deferred = application.commitments.get()
    deferred.refresh_from_db()
    assert deferred.supply_by == D(2026, 11, 9)  # 5 working days from the notice

    def run(day):
        with at(day, hour=0):
            return commitments.enforce_deferred()

    reminders = Notification.objects.filter(
        recipient=citizen, template_code="case.deferred_reminder"
    )
    assert run(D(2026, 11, 4)) == {"reminded": 0, "closed": 0}  # 3 working days left
    assert run(D(2026, 11, 5)) == {"reminded": 1, "closed": 0}  # 2 left: first reminder
    assert run(D(2026, 11, 6)) == {"reminded": 0, "closed": 0}  # not every day
    assert run(D(2026, 11, 9)) == {"reminded": 1, "closed": 0}  # the last day
    assert reminders.count() == 2
    assert run(D(2026, 11, 10)) == {"reminded": 0, "closed": 1}
    assert run(D(2026, 11, 11)) == {"reminded": 0, "closed": 0}  # once

    application.refresh_from_db()
    case = application.case
    deferred.refresh_from_db()
    assert application.status == Status.COMPLETED
    assert case.decision == Case.Decision.DENY
    assert case.completion_result == Case.CompletionResult.CORRECTION_OVERDUE  # 补交逾期办结
    assert deferred.state == State.OVERDUE
    overdue = AuditRecord.objects.get(action="applications.commitment_overdue")
    assert overdue.detail["material"] == "卫生检测报告" and overdue.actor is None
    assert not case.steps.filter(finished_at=None).exists()
    instance = WorkflowInstance.objects.get(subject_id=str(application.pk))
    assert instance.status == WorkflowInstance.Status.FINISHED
    system_moves = StatusChange.objects.filter(application=application, actor=None)
    assert list(system_moves.values_list("to_status", flat=True)) == [
        Status.DENIED,
        Status.COMPLETED,
    ]
    assert case.documents.filter(kind="不予行政许可决定书").exists()
    assert Notification.objects.filter(
        recipient=citizen, template_code="case.deferred_overdue"
    ).exists()
    with pytest.raises(ValidationError, match="逾期未补交"):
        intake.supply_deferred_material(
            application=application,
            actor=citizen,
            material_id=deferred.material_id,
            uploaded=SimpleUploadedFile("检测报告.pdf", pdf_bytes()),
        )


def test_commitments_only_where_the_catalogue_allows_them_and_only_when_signed(citizen, team, item):
    with at(D(2026, 11, 2)):
        application = intake.start_application(owner=citizen, service_item=item, channel="pc")
        form = _material(application, "申请书")
        report = _material(application, "卫生检测报告")
        sign = intake.sign_commitment
        with pytest.raises(ValidationError, match="不适用告知承诺"):
            sign(application=application, actor=citizen, material_id=form.pk, kind=Kind.COMMITMENT, agreed=True)  # fmt: skip
        with pytest.raises(ValidationError, match="不在容缺受理清单内"):
            sign(application=application, actor=citizen, material_id=form.pk, kind=Kind.DEFERRED, agreed=True)  # fmt: skip
        with pytest.raises(ValidationError, match="请阅读承诺内容并勾选"):
            sign(application=application, actor=citizen, material_id=report.pk, kind=Kind.DEFERRED, agreed=False)  # fmt: skip
        assert not application.commitments.exists()
        checklist = {row["material"].name: row for row in intake.material_checklist(application)}
        assert checklist["卫生检测报告"]["missing"]
        assert [o["kind"] for o in checklist["卫生检测报告"]["commitment_options"]] == ["deferred"]

        sign(application=application, actor=citizen, material_id=report.pk, kind=Kind.DEFERRED, agreed=True)  # fmt: skip
        again = sign(application=application, actor=citizen, material_id=report.pk, kind=Kind.DEFERRED, agreed=True)  # fmt: skip
        assert application.commitments.count() == 1 and again.state == State.SIGNED
        checklist = {row["material"].name: row for row in intake.material_checklist(application)}
        assert not checklist["卫生检测报告"]["missing"]
        assert "逾期未补交的" in again.statement

        # Uploading the material after all replaces the commitment.
        _upload(application, citizen, "卫生检测报告")
        assert not application.commitments.exists()


# --- 告知承诺 -----------------------------------------------------------------------------------------


def test_commitment_replaces_the_proof_and_is_verified_after_acceptance(citizen, team, item):
    with at(D(2026, 11, 2)):
        application = _apply(citizen, item, commit=["卫生管理制度"])
        assert not application.files.filter(material__name="卫生管理制度").exists()
        actions.accept(application=application, actor=team["clerk"])
    application.refresh_from_db()
    commitment = application.commitments.get()
    assert commitments.awaiting_verification(application).exists()  # marked for later check
    sections = dict(commitments.on_acceptance(application.case))
    assert "卫生管理制度" in sections["告知承诺"]

    with at(D(2026, 11, 3)):
        with pytest.raises(ValidationError) as missing_note:
            _check(application, team["handler"], truthful=True, note="", commitment=commitment)
        assert "请填写核查情况" in str(missing_note.value)
        with pytest.raises(PermissionDenied, match="无权"):  # finding it false is for the head
            _check(
                application,
                team["handler"],
                truthful=False,
                note="现场未见制度文本",
                commitment=commitment,
            )
        _check(
            application,
            team["handler"],
            truthful=True,
            note="现场核查，制度文本齐全并已上墙",
            commitment=commitment,
        )
        with pytest.raises(ValidationError, match="已核查"):
            _check(
                application,
                team["approver"],
                truthful=False,
                note="重复核查",
                commitment=commitment,
            )
    commitment.refresh_from_db()
    assert commitment.state == State.VERIFIED and commitment.closed_by == team["handler"]
    assert application.events.get(action="告知承诺核查属实").is_public
    assert not CreditRecord.objects.exists()


def test_false_commitment_during_review_refuses_the_licence_and_is_recorded(citizen, team, item):
    with at(D(2026, 11, 2)):
        application = _apply(citizen, item, commit=["卫生管理制度"])
        actions.accept(application=application, actor=team["clerk"])
    with at(D(2026, 11, 3)):
        _check(application, team["approver"], truthful=False, note="现场核查未建立卫生管理制度")
    application.refresh_from_db()
    assert application.status == Status.DENIED
    assert not application.case.steps.filter(finished_at=None).exists()
    record = CreditRecord.objects.get()
    assert record.kind == CreditRecord.Kind.FALSE_COMMITMENT
    assert record.ends_on == D(2029, 11, 3)
    assert record.application == application
    assert Notification.objects.filter(
        recipient=citizen, template_code="case.commitment_false"
    ).exists()


def test_false_commitment_after_the_licence_revokes_it_and_bars_later_commitments(
    citizen, team, item, department
):
    from tongban.licences.models import Licence, LicenceType
    from tongban.seals import actions as seals

    with at(D(2026, 9, 1)):
        seals.create_seal(None, department, f"{department.name}电子证照专用章", "licence")
    kind = LicenceType.objects.create(
        name="公共场所卫生许可证",
        type_code=department.uscc + "002",
        issuing_department=department,
        holder_kind=LicenceType.HolderKind.PERSON,
        validity_years=1,
        fields=[{"key": "request_detail", "label": "许可项目"}],
    )
    kind.issued_for_items.add(item)
    with at(D(2026, 11, 2)):
        application = _apply(citizen, item, commit=["卫生管理制度"])
        actions.accept(application=application, actor=team["clerk"])
    with at(D(2026, 11, 3)):
        _review_to_last_step(application, team)
        _approve(application, team)
        actions.complete(application=application, actor=team["clerk"])
    licence = Licence.objects.get(application=application)
    assert licence.status == Licence.Status.VALID

    with at(D(2026, 12, 1)):  # the later check finds the commitment false
        _check(application, team["approver"], truthful=False, note="抽查发现未建立卫生管理制度")
    application.refresh_from_db()
    licence.refresh_from_db()
    assert application.status == Status.REVOKED
    assert licence.status == Licence.Status.REVOKED
    assert application.case.documents.filter(kind="撤销行政许可决定书").exists()
    assert "处理结果：撤销行政许可" in application.events.get(action="告知承诺核查不实").opinion

    with at(D(2026, 12, 2)):  # the same person may no longer commit instead of proving
        second = intake.start_application(owner=citizen, service_item=item, channel="pc")
        with pytest.raises(ValidationError, match="虚假承诺"):
            intake.sign_commitment(
                application=second,
                actor=citizen,
                material_id=_material(second, "卫生管理制度").pk,
                kind=Kind.COMMITMENT,
                agreed=True,
            )


# --- pages ----------------------------------------------------------------------------------------


def test_pages_commit_supply_and_verify(client, citizen, team, item):
    with at(D(2026, 11, 2)):
        application = intake.start_application(owner=citizen, service_item=item, channel="pc")
        report = _material(application, "卫生检测报告")
        rules = _material(application, "卫生管理制度")
        client.force_login(citizen)
        materials_page = reverse("applications:draft", args=[application.public_id]) + "?page=3"
        page = client.get(materials_page).content.decode()
        assert "申请容缺受理，受理后补交" in page and "以告知承诺代替" in page
        commit_url = reverse("applications:commit", args=[application.public_id, rules.pk])
        page = client.post(commit_url, {"kind": "commitment"}, follow=True).content.decode()
        assert "请阅读承诺内容并勾选" in page and not application.commitments.exists()
        client.post(commit_url, {"kind": "commitment", "agreed": "on"})
        client.post(
            reverse("applications:commit", args=[application.public_id, report.pk]),
            {"kind": "deferred", "agreed": "on"},
        )
        assert application.commitments.count() == 2
        page = client.get(materials_page).content.decode()
        assert "取消承诺，改为上传" in page
    with at(D(2026, 11, 2)):
        application = _apply(citizen, item, commit=["卫生管理制度"], defer=["卫生检测报告"])
        actions.accept(application=application, actor=team["clerk"])
        with CaptureQueriesContext(connection) as queries:
            case_page = client.get(
                reverse("applications:draft", args=[application.public_id])
            ).content.decode()
        assert "请于 2026-11-09 前补交本材料" in case_page
        assert "卫生管理制度" in case_page and "卫生检测报告" in case_page
        # Both commitments are read with their materials in one query, not one more per row.
        assert not [q for q in queries if 'FROM "catalog_material"' in q["sql"]]
        client.post(
            reverse("applications:supply-deferred", args=[application.public_id, report.pk]),
            {"file": SimpleUploadedFile("报告.pdf", pdf_bytes())},
        )
    assert application.commitments.get(kind=Kind.DEFERRED).state == State.SUPPLIED

    client.force_login(team["approver"])
    assert (
        application.case_number
        in client.get(reverse("cases:list") + "?tab=verify").content.decode()
    )
    commitment = application.commitments.get(kind=Kind.COMMITMENT)
    verify = reverse("cases:act", args=[application.public_id, "verify_commitment"])
    page = client.post(
        verify, {"commitment": commitment.pk, "note": "已核查"}, follow=True
    ).content.decode()
    assert "请选择核查结论" in page  # an unanswered verdict is never taken as "false"
    commitment.refresh_from_db()
    assert commitment.state == State.SIGNED and not CreditRecord.objects.exists()
    client.post(verify, {"commitment": commitment.pk, "verdict": "true", "note": "现场核查属实"})
    commitment.refresh_from_db()
    assert commitment.state == State.VERIFIED
    assert (
        application.case_number
        not in client.get(reverse("cases:list") + "?tab=verify").content.decode()
    )
