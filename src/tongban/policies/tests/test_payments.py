import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tongban.accounts import demo as accounts_demo
from tongban.accounts.models import CitizenProfile, EnterpriseProfile, User
from tongban.core import workdays
from tongban.exchange.models import CallRecord
from tongban.policies.actions import objections, offers, payments
from tongban.policies.models import BankAccount, Match, PaymentLine, Policy
from tongban.seals import actions as seals

DAY = datetime.date(2026, 12, 4)


@pytest.fixture
def handler(demo_city):
    return User.objects.get(login_name="handler")  # 民政承办人


def _batch(handler):
    return payments.prepare_batch(actor=handler, policy=Policy.objects.get(code="MZ-GLJT"), day=DAY)


def test_a_batch_pays_from_social_security_cards_with_totals_checksum_and_sealed_cover(handler):
    batch = _batch(handler)
    lines = list(batch.lines.all())
    assert lines and all(line.status == PaymentLine.Status.PENDING for line in lines)
    assert batch.total == sum(line.amount for line in lines)
    assert BankAccount.objects.filter(source="shared").count() >= len(lines)
    content = payments.export_csv(actor=handler, batch=batch).decode("utf-8-sig")
    assert f"{batch.line_count}笔,{batch.total:.2f}" in content
    assert batch.checksum in content
    assert seals.verify_pdf(bytes(type(batch).objects.get(pk=batch.pk).cover_sheet)).is_valid
    workbook = payments.export_xlsx(actor=handler, batch=batch)
    assert workbook[:2] == b"PK"
    # The same cycle again: nobody is left to pay.
    with pytest.raises(ValidationError):
        _batch(handler)


def test_never_paid_twice_for_one_cycle(handler):
    batch = _batch(handler)
    line = batch.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            batch=batch,
            line_no=999,
            match=line.match,
            policy=line.policy,
            subject_index=line.subject_index,
            cycle=line.cycle,
            amount=line.amount,
        )


def test_lines_beyond_the_budget_are_suspended_and_staff_told(handler):
    policy = Policy.objects.get(code="MZ-GLJT")
    Policy.objects.filter(pk=policy.pk).update(budget_cap=Decimal("150"))
    batch = _batch(handler)
    suspended = batch.lines.filter(status=PaymentLine.Status.SUSPENDED)
    assert suspended.exists()
    assert batch.total <= Decimal("150")
    assert handler.notifications.filter(template_code="policy.budget_exceeded").exists()


def _reconcile(handler, batch, text):
    return payments.import_reconciliation(
        actor=handler, batch=batch, content=text.encode(), file_name="对账.csv"
    )


def test_reconciliation_refuses_bad_lines_one_by_one_and_failures_come_back(handler):
    batch = _batch(handler)
    payments.export_csv(actor=handler, batch=batch)
    lines = list(batch.lines.order_by("line_no"))
    first, second = lines[0], lines[1]
    text = (
        "序号,金额,结果,原因\n"
        f"{first.line_no},{first.amount},成功,\n"
        f"{second.line_no},{second.amount},失败,账户已销户\n"
        f"{first.line_no},{first.amount},成功,\n"
        "999,100.00,成功,\n"
        f"{lines[2].line_no if len(lines) > 2 else 998},1.00,成功,\n"
    )
    record = _reconcile(handler, batch, text)
    assert (record.paid, record.failed) == (1, 1)
    reasons = [r["reason"] for r in record.refused]
    assert any("重复" in r for r in reasons)
    assert any("没有序号“999”" in r for r in reasons)
    assert len(record.refused) == 3
    second.refresh_from_db()
    assert second.status == PaymentLine.Status.FAILED and second.reason == "账户已销户"
    # The person is told, enters a new account once, and the line goes back for payment.
    elder = offers.account_for(second.match)
    if elder is not None:
        assert elder.notifications.filter(template_code="policy.payment_failed").exists()
    payments.correct_line(actor=handler, line=second, note="已核实新账户")
    second.refresh_from_db()
    assert second.status == PaymentLine.Status.PENDING
    # A paid line cannot be paid again by a later file.
    again = _reconcile(
        handler, batch, f"序号,金额,结果,原因\n{first.line_no},{first.amount},成功,\n"
    )
    assert "不能再次对账" in again.refused[0]["reason"]


def test_a_file_without_the_columns_is_refused(handler):
    batch = _batch(handler)
    payments.export_csv(actor=handler, batch=batch)
    with pytest.raises(ValidationError):
        _reconcile(handler, batch, "编号,钱\n1,100\n")


def test_enterprise_confirms_in_one_step_with_the_account_reported_to_the_tax_bureau(
    demo_city, client
):
    enterprise = EnterpriseProfile.objects.get(name=accounts_demo.ENTERPRISE[0])
    match = offers.matches_for(enterprise.user).get(policy__code="RS-WGFH")
    client.force_login(enterprise.user)
    page = client.get(f"/policies/{match.pk}/").content.decode()
    assert "8888**********0001" in page and "税务部门共享数据" in page
    assert 'id="account_number"' not in page and "888800000000000001" not in page
    response = client.post(f"/policies/{match.pk}/confirm")  # nothing typed
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == Match.Status.CONFIRMED
    account = BankAccount.objects.get(subject_index=match.subject_index)
    assert account.source == BankAccount.Source.SHARED
    assert account.bank == "示例银行许昌分行营业部" and account.masked == "8888**********0001"
    # Read through the policies consumer's grant on the tax resource, and logged.
    call = CallRecord.objects.filter(resource_code="SW_CKZH").latest("id")
    assert call.consumer_code == "platform.policies" and call.purpose == "惠企政策资金拨付"
    # The account reaches the payment line.
    batch = payments.prepare_batch(actor=None, policy=match.policy, day=DAY)
    assert batch.lines.get(match=match).amount == Decimal("24000")


def test_enterprise_without_a_reported_account_enters_it_once(demo_city):
    enterprise = EnterpriseProfile.objects.get(name=accounts_demo.SECOND_ENTERPRISE[0])
    match = offers.matches_for(enterprise.user).get(policy__code="RS-WGFH")
    with pytest.raises(ValidationError):
        offers.confirm(user=enterprise.user, match=match)  # no account yet
    with pytest.raises(ValidationError):
        offers.confirm(user=enterprise.user, match=match, bank="示例银行", number="12ab")
    offers.confirm(
        user=enterprise.user, match=match, bank="示例银行", number="6222 0000 1111 2222 333"
    )
    match.refresh_from_db()
    assert match.status == Match.Status.CONFIRMED
    account = BankAccount.objects.get(subject_index=match.subject_index)
    assert account.masked == "6222***********2333" and "6222000011112222333" not in account.number
    citizen = CitizenProfile.objects.get(real_name="张示例").user
    with pytest.raises(PermissionDenied):
        offers.confirm(user=citizen, match=match)


def test_objection_is_due_in_working_days(demo_city):
    enterprise = EnterpriseProfile.objects.get(name=accounts_demo.ENTERPRISE[0])
    policy = Policy.objects.get(code="RS-KGBZ")
    with pytest.raises(ValidationError):
        objections.raise_objection(user=enterprise.user, policy=policy, kind="qualify", text="短")
    objection = objections.raise_objection(
        user=enterprise.user, policy=policy, kind="qualify", text="我们本年新招了两名高校毕业生"
    )
    assert objection.due_date == workdays.add_working_days(objection.created_at.date(), 10)
    with pytest.raises(ValidationError):
        objections.raise_objection(
            user=enterprise.user, policy=policy, kind="qualify", text="再提一次同样的异议"
        )
    rs_staff = User.objects.get(login_name="admin")
    objections.answer(actor=rs_staff, objection=objection, text="经核实，新增参保将于下月入库。")
    assert enterprise.user.notifications.filter(template_code="policy.objection_answered").exists()
