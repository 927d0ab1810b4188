import hashlib
from decimal import Decimal

import pytest

from tongban.accounts import demo as accounts_demo
from tongban.accounts.models import EnterpriseProfile
from tongban.exchange.actions import bulk, delivery
from tongban.exchange.actions.errors import ExchangeDenied
from tongban.exchange.models import CallRecord, Consumer, Resource
from tongban.policies.actions import matching, offers
from tongban.policies.models import Match, MatchChange, MatchRun, SubjectSnapshot


def _deliver(resource_code: str, rows: list[dict], columns: list[str]) -> None:
    content = bulk.csv_bytes(rows, ["subject", *columns])
    bulk.load_file(
        actor=None,
        resource=Resource.objects.get(code=resource_code),
        content=content,
        file_name="change.csv",
        declared_rows=len(rows),
        sha256=hashlib.sha256(content).hexdigest(),
        mode="incremental",
    )


def test_an_incremental_run_re_evaluates_only_changed_subjects(demo_city):
    enterprise = EnterpriseProfile.objects.get(name=accounts_demo.ENTERPRISE[0])
    before = SubjectSnapshot.objects.count()
    _deliver(
        "RS_QYCB",
        [
            {
                "subject": enterprise.uscc,
                "dwmc": enterprise.name,
                "cbrs": 50,
                "xzcbrs": 2,
                "cyl": "2.1",
                "qfzt": "无欠费",
            }
        ],
        ["dwmc", "cbrs", "xzcbrs", "cyl", "qfzt"],
    )
    run = matching.start_run(kind=MatchRun.Kind.INCREMENTAL, inline=True)
    assert run.status == MatchRun.Status.DONE
    assert run.subjects == 1  # one enterprise changed, nobody else is looked at
    assert (run.newly_eligible, run.amount_changed, run.no_longer_eligible) == (1, 1, 0)
    changes = {c.kind: c for c in MatchChange.objects.filter(run=run).select_related("match")}
    assert changes["new"].match.policy.code == "RS-KGBZ"
    assert changes["new"].new_amount == Decimal("3000.00")
    assert (changes["amount"].old_amount, changes["amount"].new_amount) == (
        Decimal("24000.00"),
        Decimal("25000.00"),
    )
    assert SubjectSnapshot.objects.count() == before
    # Nothing changed since: the next incremental run evaluates nobody.
    again = matching.start_run(kind=MatchRun.Kind.INCREMENTAL, inline=True)
    assert again.subjects == 0 and again.status == MatchRun.Status.DONE


def test_a_subject_who_no_longer_qualifies_lapses_with_a_change_record(demo_city):
    enterprise = EnterpriseProfile.objects.get(name=accounts_demo.ENTERPRISE[0])
    _deliver(
        "RS_QYCB",
        [
            {
                "subject": enterprise.uscc,
                "dwmc": enterprise.name,
                "cbrs": 48,
                "xzcbrs": 0,
                "cyl": "2.1",
                "qfzt": "欠费",
            }
        ],
        ["dwmc", "cbrs", "xzcbrs", "cyl", "qfzt"],
    )
    run = matching.start_run(kind=MatchRun.Kind.INCREMENTAL, inline=True, partitions=3)
    match = Match.objects.get(
        policy__code="RS-WGFH", subject_index=offers.subject_index_of(enterprise.user)[1]
    )
    assert match.status == Match.Status.LAPSED and not match.eligible
    assert (
        offers.blocking_text(match.explanation) == "不符合“社会保险费无欠费”（社保欠费状态：欠费）"
    )
    assert MatchChange.objects.filter(run=run, kind="lost", match=match).exists()


def test_a_full_run_in_partitions_gives_the_same_matches(demo_city):
    before = set(Match.objects.filter(eligible=True).values_list("policy_id", "subject_index"))
    single = matching.start_run(kind=MatchRun.Kind.FULL, inline=True, partitions=1)
    snapshots = SubjectSnapshot.objects.count()
    run = matching.start_run(kind=MatchRun.Kind.FULL, inline=True, partitions=4)
    assert run.partitions > 1 and run.partitions_done == run.partitions
    assert run.newly_eligible == 0 and run.no_longer_eligible == 0
    after = set(Match.objects.filter(eligible=True).values_list("policy_id", "subject_index"))
    assert after == before
    # Split by policy, each subject is still counted and snapshotted once, every check made once.
    assert (run.subjects, run.checks) == (single.subjects, single.checks)
    assert SubjectSnapshot.objects.count() == snapshots


def test_a_run_is_split_by_policy_and_by_subject_only_beyond_the_memory_bound(demo_city, settings):
    settings.POLICIES_SUBJECTS_PER_PARTITION = 10
    subjects = MatchRun.objects.order_by("-id").first().subjects
    run = matching.start_run(kind=MatchRun.Kind.FULL, inline=True, partitions=2)
    assert run.partitions > 2  # the subjects no longer fit one unit: split by subject as well
    assert run.subjects == subjects and run.partitions_done == run.partitions


def test_bulk_delivery_needs_a_grant_for_every_item_and_is_logged(demo_city):
    consumer = Consumer.objects.get(code="platform.policies")
    with pytest.raises(ExchangeDenied) as refused:
        delivery.read_copy(
            consumer=consumer, resource_code="RK_RKJBXX", items=["zz"], purpose="匹配"
        )
    assert refused.value.code == "item_not_granted"
    with pytest.raises(ExchangeDenied):
        delivery.read_copy(consumer=consumer, resource_code="GA_XDFZ", items=["xm"], purpose="匹配")
    frame = delivery.read_copy(
        consumer=consumer, resource_code="RK_RKJBXX", items=["csrq"], purpose="匹配"
    )
    assert frame.height > 20 and str(frame["csrq"].dtype) == "Date"
    outcomes = list(
        CallRecord.objects.filter(consumer_code="platform.policies", kind="bulk")
        .order_by("-id")
        .values_list("outcome", flat=True)[:3]
    )
    assert outcomes == ["answered", "denied", "denied"]


def _enterprise_row(enterprise, **values):
    row = {"subject": enterprise.uscc, "dwmc": enterprise.name, "cbrs": 48, "xzcbrs": 0}
    return {**row, "cyl": "2.1", "qfzt": "无欠费", **values}


def test_an_incremental_run_reads_only_the_subjects_of_the_change_feed(demo_city):
    enterprise = EnterpriseProfile.objects.get(name=accounts_demo.ENTERPRISE[0])
    last_call = CallRecord.objects.order_by("-id").values_list("id", flat=True).first()
    _deliver(
        "RS_QYCB", [_enterprise_row(enterprise, cbrs=50)], ["dwmc", "cbrs", "xzcbrs", "cyl", "qfzt"]
    )
    run = matching.start_run(kind=MatchRun.Kind.INCREMENTAL, inline=True)
    assert run.subjects == 1 and run.feed_position is not None
    # Every delivery the run asked the exchange for held that one enterprise at most: nobody
    # else's data was read.
    reads = CallRecord.objects.filter(
        id__gt=last_call, consumer_code="platform.policies", kind="bulk", outcome="answered"
    )
    assert reads.exists() and max(reads.values_list("rows", flat=True)) <= 1


def test_a_change_that_leaves_the_data_as_it_was_evaluates_nobody(demo_city):
    enterprise = EnterpriseProfile.objects.get(name=accounts_demo.ENTERPRISE[0])
    matching.start_run(kind=MatchRun.Kind.INCREMENTAL, inline=True)
    frame = delivery.read_copy(
        consumer=Consumer.objects.get(code="platform.policies"),
        resource_code="RS_QYCB",
        items=["dwmc", "cbrs", "xzcbrs", "cyl", "qfzt"],
        purpose="匹配",
        subject_indexes=[offers.subject_index_of(enterprise.user)[1]],
    )
    same = frame.to_dicts()[0]
    row = {"subject": enterprise.uscc, **{k: same[k] for k in ["dwmc", "cbrs", "xzcbrs", "qfzt"]}}
    row["cyl"] = same["cyl"]
    _deliver("RS_QYCB", [row], ["dwmc", "cbrs", "xzcbrs", "cyl", "qfzt"])
    run = matching.start_run(kind=MatchRun.Kind.INCREMENTAL, inline=True)
    assert run.subjects == 0 and run.newly_eligible == 0


def test_the_change_feed_needs_the_grant_and_is_logged(demo_city):
    consumer = Consumer.objects.get(code="platform.policies")
    with pytest.raises(ExchangeDenied) as refused:
        delivery.changes_since(
            consumer=consumer, resource_code="RS_QYCB", items=["zz"], purpose="匹配", after_load=0
        )
    assert refused.value.code == "item_not_granted"
    changed, position, replaced = delivery.changes_since(
        consumer=consumer, resource_code="RS_QYCB", items=["cbrs"], purpose="匹配", after_load=0
    )
    assert changed and position > 0 and replaced  # the demo's copy came as a full load
    again, later, replaced = delivery.changes_since(
        consumer=consumer,
        resource_code="RS_QYCB",
        items=["cbrs"],
        purpose="匹配",
        after_load=position,
    )
    assert (again, later, replaced) == ([], position, False)
    assert CallRecord.objects.filter(kind="bulk", resource_code="RS_QYCB", rows=0).exists()
