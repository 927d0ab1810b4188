"""Payments: batches per cycle for the finance bureau, exports, the sealed cover sheet, and the
reconciliation file that comes back.

A subject is never paid twice for one cycle: one PaymentLine per policy, subject and cycle, held
by a database constraint (a failed line is corrected in place and paid in the same line). Lines
beyond the budget cap are suspended, not dropped, and the staff who prepared the batch are told.
The reconciliation file marks each line paid or failed; lines it does not know, repeats, wrong
amounts and lines already settled are refused one by one with the reason, and nothing else in
the file is held back by them. Failed lines come back: the subject is told to correct the
account, and staff put the line back for payment.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook

from tongban.core import audit, pii
from tongban.core.statemachine import transition
from tongban.notify import actions as notify
from tongban.policies import states
from tongban.policies.actions import offers
from tongban.policies.actions.common import PAYERS, require_role
from tongban.policies.audit_actions import AuditAction
from tongban.policies.models import (
    Match,
    PaymentBatch,
    PaymentLine,
    Policy,
    Reconciliation,
)
from tongban.policies.states import PAYER, SUBJECT
from tongban.seals import actions as seals
from tongban.seals import documents

L = PaymentLine.Status
B = PaymentBatch.Status
PAYABLE = [Match.Status.AUTOMATIC, Match.Status.CONFIRMED]
COMMITTED = [L.PENDING, L.PAID, L.FAILED]
# The batch file, its cover sheet and the reconciliation file are documents exchanged with the
# finance bureau: their words stay Chinese whatever the page's language. Refusals go through gettext.
HEADER = ["序号", "政策", "周期", "收款人", "证件号码", "开户银行", "银行账号", "金额"]
RESULTS = {"成功": L.PAID, "失败": L.FAILED}


def cycle_of(policy: Policy, day: datetime.date) -> str:
    if policy.cycle == Policy.Cycle.MONTHLY:
        return f"{day:%Y-%m}"
    if policy.cycle == Policy.Cycle.YEARLY:
        return f"{day:%Y}"
    return "once"


def _move_line(line: PaymentLine, target: str, reason: str = "", *, actor=None, role=PAYER) -> None:
    line.reason = reason[:200]
    transition(
        line,
        target,
        actor_kind=states.kind(actor, role),
        machine=states.LINE,
        update_fields=["reason", "updated_at"],
        write_audit=False,  # the caller's record names the file or the correction
    )


def _move_batch(batch: PaymentBatch, target: str, *, actor=None, role=PAYER) -> None:
    transition(
        batch,
        target,
        actor_kind=states.kind(actor, role),
        machine=states.BATCH,
        write_audit=False,  # the caller's record (export, reconciliation) says why
    )


def budget_used(policy: Policy) -> Decimal:
    used = PaymentLine.objects.filter(policy=policy, status__in=COMMITTED).aggregate(
        s=Sum("amount")
    )
    return used["s"] or Decimal("0")


def _refresh_totals(batch: PaymentBatch) -> None:
    payable = batch.lines.filter(status=L.PENDING)
    batch.total = payable.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    batch.line_count = payable.count()
    batch.checksum = hashlib.sha256(_csv_body(batch)).hexdigest()
    batch.save(update_fields=["total", "line_count", "checksum"])


def prepare_batch(*, actor, policy: Policy, day: datetime.date | None = None) -> PaymentBatch:
    """Collect this cycle's payable matches not yet in a line into a new batch."""
    require_role(
        actor, policy.department, PAYERS, gettext("只有本部门的承办或批准人员可以生成发放批次")
    )
    day = day or timezone.localdate()
    cycle = cycle_of(policy, day)
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        if policy.status != Policy.Status.PUBLISHED:
            raise ValidationError(gettext("只有已发布的政策可以发放"))
        already = PaymentLine.objects.filter(policy=policy, cycle=cycle).values("subject_index")
        matches = list(
            Match.objects.filter(policy=policy, eligible=True, status__in=PAYABLE)
            .exclude(subject_index__in=already)
            .order_by("id")
        )
        for match in matches:
            if match.subject_kind == "person":
                offers.ensure_shared_account(match)
        accounts = set(
            offers.BankAccount.objects.filter(
                subject_index__in=[m.subject_index for m in matches]
            ).values_list("subject_index", flat=True)
        )
        payable = [m for m in matches if m.subject_index in accounts]
        if not payable:
            raise ValidationError(
                gettext("本周期没有可发放的对象（已全部纳入批次，或缺少发放账户）")
            )
        count = PaymentBatch.objects.filter(policy=policy, cycle=cycle).count()
        batch = PaymentBatch.objects.create(
            policy=policy,
            cycle=cycle,
            number=f"{policy.code}-{cycle}-{count + 1:02d}",
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        suspended = _add_lines(batch, policy, cycle, payable)
        _refresh_totals(batch)
        audit.record(
            AuditAction.BATCH_PREPARE,
            actor=actor,
            obj=batch,
            detail={
                "lines": len(payable),
                "suspended": suspended,
                "no_account": len(matches) - len(payable),
                "total": str(batch.total),
            },
        )
        if suspended and getattr(actor, "pk", None):
            notify.send(
                actor,
                "policy.budget_exceeded",
                {
                    "policy_name": policy.name,
                    "count": suspended,
                    "budget": f"{policy.budget_cap:,.2f}",
                },
                related=batch,
                link=f"/workbench/policies/batches/{batch.pk}/",
                channels=["inapp"],
            )
    _seal_cover(batch, actor)
    return batch


def _add_lines(batch, policy, cycle, matches) -> int:
    room = policy.budget_cap - budget_used(policy)
    suspended = 0
    lines = []
    for number, match in enumerate(matches, 1):
        status, reason = L.PENDING, ""
        if match.amount > room:
            status, reason = L.SUSPENDED, gettext("超出预算上限，暂缓发放")
            suspended += 1
        else:
            room -= match.amount
        lines.append(
            PaymentLine(
                batch=batch,
                line_no=number,
                match=match,
                policy=policy,
                subject_index=match.subject_index,
                cycle=cycle,
                amount=match.amount,
                status=status,
                reason=reason,
            )
        )
    PaymentLine.objects.bulk_create(lines)
    return suspended


def _seal_cover(batch: PaymentBatch, actor) -> None:
    """The cover sheet the finance bureau files: totals and the checksum of the payment file,
    sealed by the policy department (PAdES; verifiable on the platform)."""
    policy = batch.policy
    text = (
        f"政策：{policy.name}（{policy.document_number}）\n"
        f"发放周期：{batch.cycle}\n"
        f"发放笔数：{batch.line_count} 笔\n"
        f"合计金额：{batch.total:,.2f} 元\n"
        f"明细文件校验和（SHA-256）：{batch.checksum}\n"
        f"暂缓发放（超出预算）：{batch.lines.filter(status=L.SUSPENDED).count()} 笔"
    )
    seal = seals.default_seal(policy.department)
    pdf = documents.render_document(
        "惠民惠企资金发放批次",
        batch.number,
        [("", text)],
        policy.department,
        timezone.localdate(),
        seal=seal,
    )
    signed = seals.sign_pdf(
        pdf,
        seal,
        document_type="资金发放批次封面",
        document_number=batch.number,
        actor=actor if getattr(actor, "pk", None) else None,
        related=batch,
    )
    PaymentBatch.objects.filter(pk=batch.pk).update(cover_sheet=signed)


# --- exports ---------------------------------------------------------------------------------------


def _rows(batch: PaymentBatch) -> list[list[str]]:
    rows = []
    lines = batch.lines.filter(status=L.PENDING).select_related("match").order_by("line_no")
    accounts = {
        a.subject_index: a
        for a in offers.BankAccount.objects.filter(
            subject_index__in=[line.subject_index for line in lines]
        )
    }
    for line in lines:
        account = accounts.get(line.subject_index)
        rows.append(
            [
                str(line.line_no),
                batch.policy.name,
                batch.cycle,
                line.match.subject_name,
                pii.decrypt(line.match.subject_ref),
                account.bank if account else "",
                pii.decrypt(account.number) if account else "",
                f"{line.amount:.2f}",
            ]
        )
    return rows


def _csv_body(batch: PaymentBatch) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(_rows(batch))
    return out.getvalue().encode()


def _exported(batch: PaymentBatch, actor, kind: str) -> None:
    require_role(
        actor,
        batch.policy.department,
        PAYERS,
        gettext("只有本部门的承办或批准人员可以导出发放批次"),
    )
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        _refresh_totals(batch)
        if batch.status == B.PREPARED:
            _move_batch(batch, B.EXPORTED, actor=actor)
        audit.record(
            AuditAction.BATCH_EXPORT,
            actor=actor,
            obj=batch,
            purpose="向财政部门报送资金发放明细",
            detail={"format": kind, "lines": batch.line_count, "checksum": batch.checksum},
        )


def export_csv(*, actor, batch: PaymentBatch) -> bytes:
    """UTF-8 CSV (with BOM for Excel): the lines to pay, a totals line and the checksum of the
    lines above it."""
    _exported(batch, actor, "csv")
    batch.refresh_from_db()
    body = _csv_body(batch)
    footer = (
        f"合计,,,,,,{batch.line_count}笔,{batch.total:.2f}\n校验和（SHA-256）,{batch.checksum}\n"
    )
    return "\ufeff".encode() + body + footer.encode()


def export_xlsx(*, actor, batch: PaymentBatch) -> bytes:
    _exported(batch, actor, "xlsx")
    batch.refresh_from_db()
    book = Workbook()
    sheet = book.active
    sheet.title = "发放明细"
    sheet.append(HEADER)
    for row in _rows(batch):
        sheet.append([*row[:-1], float(row[-1])])
    summary = book.create_sheet("汇总")
    for label, value in [
        ("批次号", batch.number),
        ("政策", batch.policy.name),
        ("周期", batch.cycle),
        ("笔数", batch.line_count),
        ("合计金额（元）", float(batch.total)),
        ("明细校验和（SHA-256，对应CSV明细）", batch.checksum),
    ]:
        summary.append([label, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reconciliation --------------------------------------------------------------------------------


def _parse(content: bytes) -> list[dict]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(gettext("对账文件应为 UTF-8 编码的 CSV")) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = {"序号", "金额", "结果"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationError(
            gettext("对账文件缺少列：%(columns)s（应有 序号、金额、结果、原因）")
            % {"columns": "、".join(sorted(missing))}
        )
    return list(reader)


def _refusal(row: dict, lines: dict, seen: set) -> str:
    number = (row.get("序号") or "").strip()
    if not number.isdigit() or int(number) not in lines:
        return gettext("批次中没有序号“%(number)s”") % {"number": number}
    if number in seen:
        return gettext("序号 %(number)s 在文件中重复") % {"number": number}
    line = lines[int(number)]
    try:
        amount = Decimal((row.get("金额") or "").strip())
    except InvalidOperation:
        return gettext("金额不是数字")
    if amount != line.amount:
        return gettext("金额 %(amount)s 与批次中的 %(expected)s 不符") % {
            "amount": amount,
            "expected": line.amount,
        }
    result = (row.get("结果") or "").strip()
    if result not in RESULTS:
        return gettext("结果应为“成功”或“失败”")
    if result == "失败" and not (row.get("原因") or "").strip():
        return gettext("发放失败须写明原因")
    if line.status != L.PENDING:
        return gettext("该笔状态为“%(status)s”，不能再次对账") % {
            "status": line.get_status_display()
        }
    return ""


def import_reconciliation(*, actor, batch: PaymentBatch, content: bytes, file_name: str):
    """Apply the finance bureau's file line by line; returns the Reconciliation with the refused
    lines and their reasons."""
    require_role(
        actor,
        batch.policy.department,
        PAYERS,
        gettext("只有本部门的承办或批准人员可以导入对账文件"),
    )
    digest = hashlib.sha256(content).hexdigest()
    earlier = Reconciliation.objects.filter(batch=batch, sha256=digest).first()
    if earlier is not None:
        return earlier  # the same file again changes nothing
    rows = _parse(content)
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == B.PREPARED:
            raise ValidationError(gettext("批次尚未导出交财政部门，不能对账"))
        lines = {line.line_no: line for line in batch.lines.select_related("match", "policy")}
        seen, refused, paid, failed = set(), [], 0, 0
        for row_number, row in enumerate(rows, 2):
            reason = _refusal(row, lines, seen)
            seen.add((row.get("序号") or "").strip())
            if reason:
                refused.append({"row": row_number, "line": row.get("序号", ""), "reason": reason})
                continue
            line = lines[int(row["序号"].strip())]
            if RESULTS[row["结果"].strip()] == L.PAID:
                _move_line(line, L.PAID, actor=actor)
                paid += 1
            else:
                _move_line(line, L.FAILED, row["原因"].strip(), actor=actor)
                failed += 1
                _tell_failed(line)
        record = Reconciliation.objects.create(
            batch=batch,
            file_name=file_name[:200],
            sha256=digest,
            paid=paid,
            failed=failed,
            refused=refused,
            imported_by=actor if getattr(actor, "pk", None) else None,
        )
        if not batch.lines.filter(status=L.PENDING).exists() and batch.status == B.EXPORTED:
            _move_batch(batch, B.RECONCILED, actor=actor)
        audit.record(
            AuditAction.BATCH_RECONCILE,
            actor=actor,
            obj=batch,
            detail={"paid": paid, "failed": failed, "refused": len(refused), "sha256": digest},
        )
    return record


def _tell_failed(line: PaymentLine) -> None:
    recipient = offers.account_for(line.match)
    if recipient is not None:
        notify.send(
            recipient,
            "policy.payment_failed",
            {"policy_name": line.policy.name, "reason": line.reason},
            related=line.match,
            link=f"/policies/{line.match_id}/",
        )


@transaction.atomic
def correct_line(*, actor, line: PaymentLine, note: str) -> PaymentLine:
    """A failed (or suspended) line goes back for payment in its batch, after correction."""
    line = PaymentLine.objects.select_for_update().select_related("batch", "policy").get(pk=line.pk)
    require_role(
        actor, line.policy.department, PAYERS, gettext("只有本部门的承办或批准人员可以更正发放明细")
    )
    if not note.strip():
        raise ValidationError({"note": [gettext("请说明更正的内容")]})
    if line.status == L.SUSPENDED and line.amount > line.policy.budget_cap - budget_used(
        line.policy
    ):
        raise ValidationError(gettext("预算仍不足，请先调整预算上限"))
    _move_line(line, L.PENDING, "", actor=actor)
    batch = line.batch
    if batch.status == B.RECONCILED:
        _move_batch(batch, B.EXPORTED, actor=actor)
    _refresh_totals(batch)
    audit.record(AuditAction.LINE_CORRECT, actor=actor, obj=line, detail={"note": note[:200]})
    return line


def retry_failed_for(subject_index: str, *, actor) -> int:
    """The subject entered a new account: their failed lines go back for payment."""
    count = 0
    for line in PaymentLine.objects.filter(subject_index=subject_index, status=L.FAILED):
        _move_line(line, L.PENDING, "", actor=actor, role=SUBJECT)
        batch = line.batch
        if batch.status == B.RECONCILED:
            _move_batch(batch, B.EXPORTED, actor=actor, role=SUBJECT)
        _refresh_totals(batch)
        audit.record(AuditAction.LINE_RETRY, actor=actor, obj=line, detail={"by": "subject"})
        count += 1
    return count
