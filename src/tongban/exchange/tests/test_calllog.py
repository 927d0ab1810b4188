import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.exchange.actions import calllog
from tongban.exchange.models import CallRecord, Checkpoint

from .test_query import ask


@pytest.fixture
def sealed_log(granted, consumer):
    for _ in range(5):
        ask(consumer)
    calllog.seal_all(settle_seconds=0, batch=3)
    return list(CallRecord.objects.order_by("id").values_list("id", flat=True))


def test_records_are_sealed_into_chained_signed_checkpoints(sealed_log):
    # five calls and the bulk load that filled the local copy
    assert list(Checkpoint.objects.values_list("number", "record_count")) == [(1, 3), (2, 3)]
    second = Checkpoint.objects.get(number=2)
    assert second.previous_hash == Checkpoint.objects.get(number=1).checkpoint_hash
    report = calllog.verify()
    assert report.intact and report.records == 6 and report.checkpoints == 2


def test_records_younger_than_the_settling_time_wait_for_the_next_seal(granted, consumer):
    ask(consumer)
    assert calllog.seal(settle_seconds=60) is None
    assert CallRecord.objects.filter(checkpoint__isnull=True).count() == 2  # load and call


def test_a_row_altered_in_the_database_is_found(sealed_log):
    target = sealed_log[3]
    CallRecord.objects.filter(pk=target).update(purpose="改过的用途")
    report = calllog.verify()
    assert report.record_id == target and "改动" in report.problem
    with pytest.raises(CommandError, match=f"记录 {target}"):
        call_command("exchange", "verify-log")


def test_an_altered_row_with_a_recomputed_hash_is_still_found(sealed_log):
    target = sealed_log[1]
    row = CallRecord.objects.get(pk=target)
    row.outcome = "denied"
    row.record_hash = calllog.record_digest(getattr(row, f) for f in calllog.HASHED_FIELDS).hex()
    row.save()
    assert calllog.verify().record_id == target


def test_a_deleted_row_is_found(sealed_log):
    CallRecord.objects.filter(pk=sealed_log[0]).delete()
    report = calllog.verify()
    assert report.record_id == sealed_log[0] and "缺失" in report.problem


def test_a_tampered_checkpoint_is_found(sealed_log):
    Checkpoint.objects.filter(number=1).update(record_count=2)
    report = calllog.verify()
    assert report.checkpoint == 1 and not report.intact


def test_an_unsealed_row_altered_is_found(granted, consumer):
    ask(consumer)
    entry = CallRecord.objects.filter(kind="query").get()
    CallRecord.objects.filter(pk=entry.pk).update(case_ref="OTHER")
    assert calllog.verify().record_id == entry.pk


def test_verify_log_command_reports_an_intact_log(sealed_log, capsys):
    call_command("exchange", "verify-log")
    assert "用数记录完整" in capsys.readouterr().out
