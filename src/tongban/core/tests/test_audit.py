import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tongban.core import audit
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def _three_records(citizen):
    for n in range(3):
        audit.record("test.action", actor=citizen, purpose=f"第{n}次", detail={"n": n})


def test_chain_links_each_record_to_the_previous(citizen):
    _three_records(citizen)
    records = list(AuditRecord.objects.order_by("sequence"))
    assert [r.sequence for r in records] == list(range(1, len(records) + 1))
    for earlier, later in itertools.pairwise(records):
        assert later.previous_hash == earlier.record_hash
    assert audit.verify_chain().intact


def test_records_cannot_be_changed_or_deleted_through_the_orm(citizen):
    _three_records(citizen)
    entry = AuditRecord.objects.first()
    entry.purpose = "改动"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_direct_database_edit_is_reported_at_the_edited_record(citizen):
    _three_records(citizen)
    target = AuditRecord.objects.get(action="test.action", detail__n=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditrecord SET purpose = %s WHERE id = %s", ["篡改", target.pk]
        )
    report = audit.verify_chain()
    assert report.first_broken == target.sequence
    assert "被改动" in report.problem
    with pytest.raises(CommandError, match=f"第 {target.sequence} 条"):
        call_command("audit", "verify")


def test_deleting_a_record_in_the_middle_or_at_the_end_is_reported(citizen):
    _three_records(citizen)
    last = AuditRecord.objects.order_by("-sequence").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditrecord WHERE id = %s", [last.pk])
    assert audit.verify_chain().first_broken == last.sequence
    middle = AuditRecord.objects.order_by("-sequence")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditrecord WHERE id = %s", [middle.pk])
    assert audit.verify_chain().first_broken == middle.sequence


def test_verify_command_reports_an_intact_chain(citizen, capsys):
    _three_records(citizen)
    call_command("audit", "verify")
    assert "审计链完整" in capsys.readouterr().out


def test_gathered_records_are_appended_together_in_order_when_the_block_ends(citizen):
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    audit.record("test.before", actor=citizen)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, audit.gathered():
        _three_records(citizen)
        assert not AuditRecord.objects.filter(action="test.action").exists()
    records = list(AuditRecord.objects.filter(action__startswith="test.").order_by("sequence"))
    assert [r.action for r in records] == ["test.before"] + ["test.action"] * 3
    assert [r.detail["n"] for r in records[1:]] == [0, 1, 2]
    assert audit.verify_chain().intact
    # The chain's head is read (locked) and written once for all three records.
    touching_head = [q for q in queries.captured_queries if "core_auditchainhead" in q["sql"]]
    assert len(touching_head) == 2


def test_gathered_records_are_not_appended_when_the_block_fails(citizen):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic(), audit.gathered():
        audit.record("test.action", actor=citizen)
        raise RuntimeError("refused")
    audit.record("test.after", actor=citizen)
    assert [r.action for r in AuditRecord.objects.filter(action__startswith="test.")] == [
        "test.after"
    ]
    assert audit.verify_chain().intact
