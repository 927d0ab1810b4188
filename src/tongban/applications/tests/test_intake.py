import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from tongban.accounts import actions as accounts
from tongban.applications import actions, numbering
from tongban.applications.models import Application, PipelineStep, UploadedFile
from tongban.applications.states import Status
from tongban.catalog import actions as catalog
from tongban.core import events
from tongban.core.models import AuditRecord
from tongban.testing.factories import jpeg_with_location, pdf_bytes

pytestmark = pytest.mark.django_db


def _start(owner, item, **kwargs):
    return actions.start_application(owner=owner, service_item=item, channel="pc", **kwargs)


def _fill(application, actor):
    actions.save_section(
        application=application, actor=actor, section=1, raw={"request_detail": "申请领取高龄津贴"}
    )
    actions.save_section(
        application=application, actor=actor, section=2, raw={"delivery_method": "window"}
    )
    for material in actions.required_materials(application):
        actions.attach_file(
            application=application,
            actor=actor,
            material_id=material.pk,
            uploaded=SimpleUploadedFile("证明.pdf", pdf_bytes()),
        )
    application.refresh_from_db()
    return application


def test_draft_is_prefilled_from_the_account_and_prefilled_fields_cannot_be_overwritten(
    citizen, published_item
):
    application = _start(citizen, published_item)
    assert application.data["applicant_name"] == "示例老人"
    assert application.data["applicant_id_number"] == citizen.citizen.id_number
    assert application.data["applicant_phone"] == citizen.phone
    actions.save_section(
        application=application,
        actor=citizen,
        section=0,
        raw={"applicant_name": "别人", "applicant_address": "魏都区示例路1号"},
    )
    application.refresh_from_db()
    assert application.data["applicant_name"] == "示例老人"
    assert application.data["applicant_address"] == "魏都区示例路1号"
    assert application.item_version == published_item.current_version  # pinned


def test_saving_keeps_invalid_input_and_says_what_is_wrong(citizen, published_item):
    application = _start(citizen, published_item)
    errors = actions.save_section(
        application=application, actor=citizen, section=1, raw={"request_detail": "短"}
    )
    assert errors == {"request_detail": "至少填写 4 个字"}
    errors = actions.save_section(
        application=application,
        actor=citizen,
        section=2,
        raw={"delivery_method": "mail", "mail_address": ""},
    )
    assert errors == {"mail_address": "请填写邮寄地址"}
    application.refresh_from_db()
    assert application.data["request_detail"] == "短"


def test_conditional_field_is_not_required_or_submitted_when_hidden(citizen, published_item):
    application = _start(citizen, published_item)
    actions.save_section(
        application=application,
        actor=citizen,
        section=2,
        raw={"delivery_method": "mail", "mail_address": "魏都区示例路1号"},
    )
    errors = actions.save_section(
        application=application,
        actor=citizen,
        section=2,
        raw={"delivery_method": "window", "mail_address": "魏都区示例路1号"},
    )
    assert errors == {}
    application = _fill(application, citizen)
    submitted = actions.submit(application=application, actor=citizen)
    assert "mail_address" not in submitted.data


def test_uploads_are_checked_by_content(citizen, published_item, settings):
    application = _start(citizen, published_item)
    material = actions.required_materials(application)[0]

    def attach(name, content):
        return actions.attach_file(
            application=application,
            actor=citizen,
            material_id=material.pk,
            uploaded=SimpleUploadedFile(name, content),
        )

    with pytest.raises(ValidationError, match="按文件内容识别"):
        attach("身份证.pdf", b"MZ\x90\x00" + b"\x00" * 200)  # a Windows executable renamed .pdf
    with pytest.raises(ValidationError, match="PDF 文件已损坏"):
        attach("坏文件.pdf", b"%PDF-1.7\n garbage")
    settings.UPLOAD_MAX_PAGES = 2
    with pytest.raises(ValidationError, match="不能超过 2 页"):
        attach("很长.pdf", pdf_bytes(3))
    settings.UPLOAD_MAX_MB = 1
    with pytest.raises(ValidationError, match="不能超过 1 MB"):
        attach("大文件.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1))
    stored = attach("../../etc/证明\x07.PDF", pdf_bytes(2))
    assert stored.original_name == "证明.pdf" and stored.pages == 2
    assert not stored.file.name.endswith("证明.pdf")  # random stored name
    assert UploadedFile.objects.count() == 1


def test_photo_location_is_stripped(citizen, published_item):
    application = _start(citizen, published_item)
    material = actions.required_materials(application)[0]
    stored = actions.attach_file(
        application=application,
        actor=citizen,
        material_id=material.pk,
        uploaded=SimpleUploadedFile("photo.jpg", jpeg_with_location()),
    )
    with stored.file.open("rb") as handle, Image.open(handle) as image:
        assert not image.getexif()


def test_submission_refused_until_complete_and_draft_untouched(citizen, published_item):
    application = _start(citizen, published_item)
    with pytest.raises(ValidationError) as caught:
        actions.submit(application=application, actor=citizen)
    problems = caught.value.message_dict
    assert problems["request_detail"] == ["请填写申请事项说明"]
    assert problems["materials"][0].startswith("尚未上传：材料1、材料2")
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.case_number is None


def test_submit_assigns_the_national_case_number_once(
    citizen, published_item, django_capture_on_commit_callbacks
):
    application = _fill(_start(citizen, published_item), citizen)
    with django_capture_on_commit_callbacks() as callbacks:
        first = actions.submit(application=application, actor=citizen)
    again = actions.submit(
        application=application, actor=citizen
    )  # double click / retry / second tab
    today = timezone.localdate()
    assert first.case_number == again.case_number
    assert re.fullmatch(
        published_item.implementation_code + f"{today:%Y%m%d}" + r"\d{4}", first.case_number
    )
    assert len(first.case_number) == 43
    assert first.status == Status.SUBMITTED
    assert first.applicant_name == "示例老人" and first.contact_phone == citizen.phone
    assert list(first.events.values_list("action", flat=True)) == ["网上申报"]
    assert set(first.pipeline.values_list("kind", flat=True)) == set(PipelineStep.Kind.values)
    # One hand-off to the pipeline, besides the after-commit handlers of application.submitted
    # (智能秒批's check): a retried submit schedules nothing more.
    handlers = [s for s in events.subscriptions("application.submitted") if s.after_commit]
    assert len(callbacks) == 1 + len(handlers)
    assert (
        AuditRecord.objects.filter(action="applications.submit", object_id=str(first.pk)).count()
        == 1
    )


def test_case_numbers_count_up_per_item_and_day(published_item):
    day = datetime.date(2026, 11, 23)
    code = published_item.implementation_code
    assert numbering.next_case_number(code, day) == f"{code}202611230001"
    assert numbering.next_case_number(code, day) == f"{code}202611230002"
    assert (
        numbering.next_case_number(code, day + datetime.timedelta(days=1)) == f"{code}202611240001"
    )


def test_withdraw_before_acceptance_only_by_the_applicant(citizen, second_citizen, published_item):
    application = actions.submit(
        application=_fill(_start(citizen, published_item), citizen), actor=citizen
    )
    with pytest.raises(ValidationError, match="只有申请人本人"):
        actions.withdraw(application=application, actor=second_citizen, reason="不办了")
    with pytest.raises(ValidationError, match="请填写撤回原因"):
        actions.withdraw(application=application, actor=citizen, reason=" ")
    actions.withdraw(application=application, actor=citizen, reason="材料准备有误，重新申请")
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert list(application.status_changes.values_list("to_status", flat=True)) == [
        "submitted",
        "withdrawn",
    ]
    with pytest.raises(ValidationError, match="当前状态（已撤回）不能执行此操作"):
        actions.withdraw(application=application, actor=citizen, reason="再撤一次")


def test_a_refusal_reads_in_english_for_an_english_speaker(citizen, second_citizen, published_item):
    application = actions.submit(
        application=_fill(_start(citizen, published_item), citizen), actor=citizen
    )
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            actions.withdraw(application=application, actor=second_citizen, reason="不办了")
        with pytest.raises(ValidationError) as unexplained:
            actions.withdraw(application=application, actor=citizen, reason=" ")
    assert refused.value.messages == ["Only the applicant can withdraw the application"]
    assert unexplained.value.message_dict == {"reason": ["Please give the reason for withdrawing"]}
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_item_withdrawn_while_draft_open_keeps_the_draft(
    citizen, published_item, catalogue_admin_user
):
    application = _fill(_start(citizen, published_item), citizen)
    catalog.withdraw(
        actor=catalogue_admin_user, version=published_item.current_version, reason="事项调整"
    )
    with pytest.raises(ValidationError, match="已停止办理，不能提交。您填写的内容已保存在草稿中"):
        actions.submit(application=application, actor=citizen)
    application.refresh_from_db()
    assert (
        application.status == Status.DRAFT
        and application.data["request_detail"] == "申请领取高龄津贴"
    )


def test_enterprise_agent_applies_within_authorisation_and_revocation_stops_submission(
    enterprise, second_citizen, published_item
):
    accounts.authorise_agent(
        enterprise_user=enterprise,
        agent_id_number=second_citizen.citizen.id_number,
        agent_name="示例经办",
        all_items=False,
        item_codes=[published_item.basic_item.basic_code],
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    application = _start(second_citizen, published_item, enterprise=enterprise.enterprise)
    assert application.data["enterprise_name"] == "许昌示例餐饮有限公司"
    assert application.data["agent_name"] == "示例经办"
    application = _fill(application, second_citizen)
    accounts.revoke_agent(
        enterprise_user=enterprise, authorisation_id=application.agent_authorisation_id
    )
    with pytest.raises(ValidationError, match="经办授权已被撤销或已过期"):
        actions.submit(application=application, actor=second_citizen)
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_unauthorised_agent_cannot_start_for_an_enterprise(
    enterprise, second_citizen, published_item
):
    with pytest.raises(ValidationError, match="没有该企业办理此事项的有效授权"):
        _start(second_citizen, published_item, enterprise=enterprise.enterprise)


def test_only_the_owner_edits_a_draft(citizen, second_citizen, published_item):
    application = _start(citizen, published_item)
    with pytest.raises(ValidationError, match="无权修改"):
        actions.save_section(application=application, actor=second_citizen, section=1, raw={})


def test_window_staff_applies_on_behalf_and_the_channel_is_recorded(
    citizen, staff_clerk, published_item
):
    application = actions.start_application(
        owner=citizen, service_item=published_item, channel="window", window_staff=staff_clerk
    )
    application = _fill(application, staff_clerk)
    submitted = actions.submit(application=application, actor=staff_clerk)
    assert submitted.get_channel_display() == "窗口代办"
    assert submitted.status_changes.get().actor == staff_clerk


def test_pipeline_retries_then_gives_up_and_never_runs_a_done_step_twice(
    citizen, published_item, monkeypatch
):
    from tongban.applications import pipeline

    application = actions.submit(
        application=_fill(_start(citizen, published_item), citizen), actor=citizen
    )
    calls = []

    def flaky(app):
        calls.append(app.pk)
        if len(calls) < 3:
            raise ConnectionError("gateway down")

    monkeypatch.setitem(pipeline.HANDLERS, PipelineStep.Kind.NOTIFY, flaky)
    step = application.pipeline.get(kind=PipelineStep.Kind.NOTIFY)
    assert pipeline.execute(step.pk) == "failed"
    step.refresh_from_db()
    assert step.attempts == 1 and step.next_attempt_at > timezone.now()
    assert step.last_error == "ConnectionError: gateway down"
    assert pipeline.execute(step.pk) == "failed"
    assert pipeline.execute(step.pk) == "done"
    assert pipeline.execute(step.pk) == "done"
    assert len(calls) == 3

    def broken(app):
        raise RuntimeError("always")

    monkeypatch.setitem(pipeline.HANDLERS, PipelineStep.Kind.NOTIFY, broken)
    step.state = PipelineStep.State.PENDING
    step.attempts = 0
    step.save()
    for _ in range(len(pipeline.BACKOFF_MINUTES) + 1):
        state = pipeline.execute(step.pk)
    assert state == "given_up"
    assert AuditRecord.objects.filter(action="applications.pipeline_given_up").exists()


def test_an_administrator_reruns_a_given_up_step_but_a_done_step_cannot_fail_again(
    citizen, published_item, platform_admin
):
    from tongban.applications import pipeline
    from tongban.applications.states import PIPELINE_STEP
    from tongban.core.statemachine import IllegalTransition, transition

    application = actions.submit(
        application=_fill(_start(citizen, published_item), citizen), actor=citizen
    )
    step = application.pipeline.get(kind=PipelineStep.Kind.NOTIFY)
    PipelineStep.objects.filter(pk=step.pk).update(state=PipelineStep.State.GIVEN_UP, attempts=6)
    pipeline.rerun(step.pk, platform_admin)
    step.refresh_from_db()
    assert (step.state, step.attempts) == (PipelineStep.State.PENDING, 0)
    assert AuditRecord.objects.filter(action="applications.pipeline_rerun").exists()

    PipelineStep.objects.filter(pk=step.pk).update(state=PipelineStep.State.DONE)
    step.refresh_from_db()
    with pytest.raises(
        IllegalTransition, match="提交后处理步骤当前状态为“已完成”，不能变为“失败待重试”"
    ):
        transition(step, PipelineStep.State.FAILED, actor_kind="system", machine=PIPELINE_STEP)
    step.refresh_from_db()
    assert step.state == PipelineStep.State.DONE


def test_one_task_runs_a_submissions_steps_receipt_first_and_a_failure_holds_none_back(
    citizen, published_item, django_capture_on_commit_callbacks, monkeypatch
):
    from tongban.applications import pipeline

    ran, queued = [], []

    def receipt_down(app):
        ran.append("receipt")
        raise ConnectionError("storage down")

    def notify(app):
        ran.append("notify")

    monkeypatch.setitem(pipeline.HANDLERS, PipelineStep.Kind.RECEIPT, receipt_down)
    monkeypatch.setitem(pipeline.HANDLERS, PipelineStep.Kind.NOTIFY, notify)
    monkeypatch.setattr(
        pipeline.run_pipeline, "delay", lambda pk: queued.append(pk) or pipeline.run_pipeline(pk)
    )
    with django_capture_on_commit_callbacks(execute=True):
        application = actions.submit(
            application=_fill(_start(citizen, published_item), citizen), actor=citizen
        )
    assert queued == [application.pk]  # one message for the whole pipeline
    assert ran == ["receipt", "notify"]
    states = dict(application.pipeline.values_list("kind", "state"))
    assert states == {"receipt": "failed", "notify": "done"}  # the sweeper retries the receipt
    assert pipeline.run_pipeline(application.pk) == ["failed"]  # done steps are not run again
    assert ran == ["receipt", "notify", "receipt"]


def test_sweeper_runs_steps_whose_task_was_lost(citizen, published_item, monkeypatch):
    """The on_commit hook that queues the steps never runs here, as when the web worker is killed
    right after the commit or the queued task is lost: the sweeper runs them once the grace period
    has passed."""
    import time_machine

    from tongban.applications import pipeline

    application = actions.submit(
        application=_fill(_start(citizen, published_item), citizen), actor=citizen
    )
    ran = []
    monkeypatch.setattr(
        pipeline,
        "HANDLERS",
        {k: (lambda app, k=k: ran.append(k)) for k in PipelineStep.Kind.values},
    )
    assert pipeline.sweep_pipeline() == 0  # within the grace period the queued task has its turn
    with time_machine.travel(timezone.now() + pipeline.SWEEP_GRACE + datetime.timedelta(seconds=1)):
        assert pipeline.sweep_pipeline() == 2
    assert sorted(ran) == sorted(PipelineStep.Kind.values)
    assert set(application.pipeline.values_list("state", flat=True)) == {"done"}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_get_distinct_numbers(published_item, django_db_blocker):
    import threading

    from django.db import connection

    code = published_item.implementation_code
    day = datetime.date(2026, 12, 1)
    results, errors = [], []

    def take():
        try:
            from django.db import transaction

            with transaction.atomic():
                results.append(numbering.next_case_number(code, day))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == len(set(results)) == 20
    assert sorted(int(n[-4:]) for n in results) == list(range(1, 21))


def test_applications_list_is_per_owner(citizen, second_citizen, published_item):
    mine = _start(citizen, published_item)
    _start(second_citizen, published_item)
    assert list(Application.objects.filter(owner=citizen)) == [mine]


def test_pipeline_makes_the_receipt_and_tells_the_applicant(
    citizen, published_item, django_capture_on_commit_callbacks, receipt_seal
):
    from pypdf import PdfReader

    from tongban.applications import pipeline
    from tongban.notify.models import InboxMessage

    application = actions.submit(
        application=_fill(_start(citizen, published_item), citizen), actor=citizen
    )
    for step in application.pipeline.all():
        with django_capture_on_commit_callbacks(execute=True):
            assert pipeline.execute(step.pk) == "done"
    application.refresh_from_db()
    with application.receipt.file.open("rb") as handle:
        text = PdfReader(handle).pages[0].extract_text()
    assert "申请回执" in text and application.case_number in text
    message = InboxMessage.objects.get(recipient=citizen)
    assert application.case_number in message.body
