"""Matching runs: every published policy against the population and enterprise data the exchange
delivers in bulk, with the rules app's bulk evaluator.

A run is planned here (which subjects, in how many partitions) and carried out partition by
partition, each a Celery task (`tongban.policies.match_partition`) any worker may take, so a city
larger than one machine adds workers. A full run evaluates everyone; an incremental run only the
subjects whose data changed since the last run (the hash of what the policies read, kept per
subject in SubjectSnapshot), and lapses the matches of subjects who left the data. A run for newly
published policies evaluates everyone against those policies only.

For each subject × policy the run stores the outcome, the amount, the explanation and the hash of
the data used (Match), and records what changed (MatchChange: newly eligible, no longer eligible,
amount changed). Newly eligible subjects get their offer (offers.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tongban.core import audit, pii
from tongban.core.statemachine import SYSTEM, transition
from tongban.policies import conf, data, engine, states
from tongban.policies.audit_actions import AuditAction
from tongban.policies.models import (
    Match,
    MatchChange,
    MatchRun,
    Policy,
    PolicyVersion,
    SubjectSnapshot,
)

TARGETS = [data.PERSON, data.ENTERPRISE]
ACTIVE = [
    Match.Status.OFFERED,
    Match.Status.CONFIRMED,
    Match.Status.AUTOMATIC,
    Match.Status.NOTIFIED,
]


SNAPSHOT_CHUNK = 5000


def published(target: str, policy_ids=None) -> list[tuple[Policy, PolicyVersion]]:
    policies = Policy.objects.filter(status=Policy.Status.PUBLISHED, target=target)
    if policy_ids is not None:
        policies = policies.filter(pk__in=list(policy_ids))
    found = []
    for policy in policies.select_related("department"):
        version = policy.current_version
        if version is not None:
            found.append((policy, version))
    return found


def _feed_position() -> int | None:
    """Where the last finished run that took in every subject left the exchange's change feed."""
    return (
        MatchRun.objects.filter(status=MatchRun.Status.DONE, feed_position__isnull=False)
        .order_by("-id")
        .values_list("feed_position", flat=True)
        .first()
    )


def _plan(target: str, kind: str, policy_ids, since: int | None) -> tuple[list, list, int]:
    """(subjects to evaluate, subjects that left the data, feed position) for one target.

    An incremental run reads the exchange's change feed: only the subjects whose rows a load
    wrote since the last run are read and hashed, and of those only the ones whose data really
    changed are evaluated. When a copy was replaced by a full load (rows may have gone), or no
    run has read the feed yet, every subject is read and compared by hash."""
    feed, position, replaced = data.changes(target, since or 0)
    if kind == MatchRun.Kind.FULL or policy_ids is not None:
        return data.load_frame(target)[data.INDEX].to_list(), [], position
    if since is None or replaced:
        frame = data.load_frame(target)
        known = dict(
            SubjectSnapshot.objects.filter(subject_kind=target).values_list(
                "subject_index", "data_hash"
            )
        )
        present = set(frame[data.INDEX].to_list())
        gone = [index for index in known if index not in present]
    else:
        frame = data.load_frame(target, sorted(feed))
        known = _snapshots(target, frame[data.INDEX].to_list())
        gone = []
    frame = engine.with_hash(frame, data.columns(target))
    current = frame.select(data.INDEX, engine.HASH).iter_rows()
    return [index for index, digest in current if known.get(index) != digest], gone, position


def _snapshots(target: str, indexes: list[str]) -> dict[str, str]:
    """{subject index: data hash} of these subjects' last match, read in chunks."""
    found = {}
    for start in range(0, len(indexes), SNAPSHOT_CHUNK):
        found.update(
            SubjectSnapshot.objects.filter(
                subject_kind=target, subject_index__in=indexes[start : start + SNAPSHOT_CHUNK]
            ).values_list("subject_index", "data_hash")
        )
    return found


def start_run(
    *,
    actor=None,
    kind: str = MatchRun.Kind.FULL,
    policies=None,
    as_of: datetime.date | None = None,
    partitions: int | None = None,
    inline: bool = False,
) -> MatchRun:
    """Plan a run and hand its partitions to the workers (or carry them out here, `inline`)."""
    as_of = as_of or timezone.localdate()
    partitions = max(1, partitions or conf.partitions())
    policy_ids = [p.pk for p in policies] if policies is not None else None
    targets = sorted({p.target for p in policies}) if policies is not None else TARGETS
    work: list[tuple[str, list[str], list[int], bool]] = []
    gone_by_target = {}
    since = _feed_position()
    position = since
    for target in targets:
        evaluate, gone, reached = _plan(target, kind, policy_ids, since)
        position = max(position or 0, reached)
        gone_by_target[target] = gone
        work += _units(target, evaluate, policy_ids, partitions)
    with transaction.atomic():
        run = MatchRun.objects.create(
            kind=kind,
            as_of=as_of,
            partitions=len(work),
            # A run for some policies only does not take in everyone's data: it leaves the feed.
            feed_position=position if policy_ids is None else None,
            started_by=actor if getattr(actor, "pk", None) else None,
        )
        for target, gone in gone_by_target.items():
            _lapse_gone(run, target, gone)
        audit.record(
            AuditAction.RUN_START,
            actor=actor,
            obj=run,
            detail={"kind": kind, "partitions": len(work), "policies": policy_ids},
        )
        if not work:
            _finish(run)
    everyone = policy_ids is None
    for target, chunk, keys, lead in work:
        if inline:
            run_partition(run.pk, target, chunk, keys, lead=lead, all_policies=everyone)
        else:
            from tongban.policies import tasks

            transaction.on_commit(
                lambda t=target, c=chunk, k=keys, lead=lead: tasks.match_partition.delay(
                    run.pk, t, c, k, lead=lead, all_policies=everyone
                )
            )
    run.refresh_from_db()
    return run


def _units(target: str, evaluate: list[str], policy_ids, partitions: int) -> list:
    """The run's units of work for one target: (target, subjects, policy ids, lead), split by
    policy first, then by subject (engine.split says why). The lead unit of each subject part
    counts its subjects and keeps their data hashes."""
    if not evaluate:
        return []
    keys = sorted(p.pk for p, _ in published(target, policy_ids))
    subject_parts, policy_slices = engine.split(
        len(evaluate), len(keys), partitions, conf.subjects_per_partition()
    )
    frame = pl.DataFrame({data.INDEX: evaluate}, schema={data.INDEX: pl.String})
    frame = frame.with_columns(engine.partition_of(pl.col(data.INDEX), subject_parts).alias("p"))
    units = []
    for number in range(subject_parts):
        chunk = frame.filter(pl.col("p") == number)[data.INDEX].to_list()
        if chunk:
            for n, part in enumerate(engine.slices(keys, policy_slices)):
                units.append((target, chunk, part, n == 0))
    return units


def _lapse_gone(run: MatchRun, target: str, gone: list[str]) -> None:
    if not gone:
        return
    for match in Match.objects.filter(
        subject_kind=target, subject_index__in=gone, status__in=ACTIVE
    ):
        _lapse(run, match)
    SubjectSnapshot.objects.filter(subject_kind=target, subject_index__in=gone).delete()


def _lapse(run: MatchRun, match: Match) -> None:
    MatchChange.objects.create(
        run=run, match=match, kind=MatchChange.Kind.LOST, old_amount=match.amount
    )
    _to_lapsed(run, match)
    MatchRun.objects.filter(pk=run.pk).update(no_longer_eligible=F("no_longer_eligible") + 1)


def _to_lapsed(run: MatchRun, match: Match) -> None:
    match.eligible, match.run = False, run
    transition(
        match,
        Match.Status.LAPSED,
        actor_kind=SYSTEM,
        machine=states.MATCH,
        update_fields=["eligible", "run", "updated_at"],
        write_audit=False,  # the run's MatchChange row and its audit record say it
    )


def _finish(run: MatchRun) -> None:
    _end(run.pk, MatchRun.Status.DONE, finished_at=timezone.now())


def _end(run_id: int, target: str, **fields) -> None:
    """A run's status moves once, checked against states.MATCH_RUN; the row is updated in
    place (partitions on several workers count into it with F expressions)."""
    current = MatchRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    states.MATCH_RUN.check(current, target, SYSTEM)
    MatchRun.objects.filter(pk=run_id, status=current).update(status=target, **fields)


def _amount(value) -> Decimal:
    return Decimal(str(round(float(value or 0), 2))).quantize(Decimal("0.01"))


def run_partition(
    run_id: int,
    target: str,
    subject_indexes: list[str],
    policy_ids=None,
    *,
    lead: bool = True,
    all_policies: bool | None = None,
) -> None:
    """Evaluate one unit's subjects against the target's published policies (`policy_ids`: the
    unit's slice of them; None: all); store the matches, the changes and the offers in one
    transaction. The `lead` unit of its subjects counts them and, in a run over all policies,
    keeps the hash of their data for the next incremental run."""
    if all_policies is None:
        all_policies = policy_ids is None
    from tongban.policies.actions import offers

    run = MatchRun.objects.get(pk=run_id)
    try:
        frame = data.load_frame(target, subject_indexes)
        frame = engine.with_hash(frame, data.columns(target))
        keep = [data.INDEX, data.NUMBER_COLUMN, data.NAME_COLUMN, data.REGION_COLUMN, engine.HASH]
        counts = {"new": 0, "lost": 0, "amount": 0, "checks": 0}
        with transaction.atomic():
            found = published(target, policy_ids)
            compiled = engine.compile_policies(
                [(policy.pk, v.eligibility, v.amount_formula) for policy, v in found],
                data.elements(target),
                run.as_of,
            )
            # All policies in one staged query: an operation several read is computed once.
            fused = engine.FusedRun(compiled, frame, keep=keep)
            for (policy, version), item in zip(found, compiled, strict=True):
                _match_policy(run, policy, version, fused, item, counts, offers)
            if lead and all_policies:
                _snapshot(run, target, frame)
            MatchRun.objects.filter(pk=run.pk).update(
                subjects=F("subjects") + (frame.height if lead else 0),
                checks=F("checks") + counts["checks"],
                newly_eligible=F("newly_eligible") + counts["new"],
                no_longer_eligible=F("no_longer_eligible") + counts["lost"],
                amount_changed=F("amount_changed") + counts["amount"],
                partitions_done=F("partitions_done") + 1,
            )
            run.refresh_from_db()
            if run.partitions_done >= run.partitions:
                _finish(run)
                audit.record(
                    AuditAction.RUN_FINISH,
                    obj=run,
                    detail={
                        "new": run.newly_eligible,
                        "lost": run.no_longer_eligible,
                        "amount": run.amount_changed,
                    },
                )
    except Exception as exc:
        _end(run_id, MatchRun.Status.FAILED, error=str(exc)[:300])
        raise


def _match_policy(run, policy, version, fused, compiled, counts, offers) -> None:
    frame = fused.staged
    counts["checks"] += frame.height * compiled.clause_count
    existing = {
        m.subject_index: m
        for m in Match.objects.filter(policy=policy, subject_index__in=frame[data.INDEX].to_list())
    }
    in_force = policy.valid_from <= run.as_of <= (policy.valid_to or run.as_of)
    eligible = fused.eligible(compiled) if in_force else pl.repeat(False, frame.height, eager=True)
    rows = eligible | frame[data.INDEX].is_in(list(existing))
    result = fused.result(compiled, rows)
    if not in_force:
        result = result.with_columns(pl.lit(False).alias("eligible"))
    interesting = result.to_dicts()
    for row in interesting:
        match = existing.get(row[data.INDEX])
        if row["eligible"]:
            _eligible(run, policy, version, compiled, row, match, counts, offers)
        elif match is not None and match.status in ACTIVE:
            _lapse_row(run, match, compiled, row, counts)


def _eligible(run, policy, version, compiled, row, match, counts, offers) -> None:
    amount = _amount(row[engine.AMOUNT])
    explanation = compiled.explanation(row)
    if match is None or match.status == Match.Status.LAPSED:
        fresh = match is None
        match = match or Match(
            policy=policy,
            subject_kind=policy.target,
            subject_index=row[data.INDEX],
        )
        match.version_number = version.number
        match.subject_ref = pii.encrypt(row[data.NUMBER_COLUMN] or "")
        match.subject_name = row[data.NAME_COLUMN] or ""
        match.region = row[data.REGION_COLUMN] or ""
        match.eligible, match.amount, match.explanation = True, amount, explanation
        match.data_hash, match.run = row[engine.HASH], run
        if fresh:
            match.status = offers.initial_status(policy)
            match.save()
        else:  # eligible again after a lapse: a new offer
            transition(
                match,
                offers.initial_status(policy),
                actor_kind=SYSTEM,
                machine=states.MATCH,
                update_fields=None,
                write_audit=False,
            )
        MatchChange.objects.create(
            run=run, match=match, kind=MatchChange.Kind.NEW, new_amount=amount
        )
        counts["new"] += 1
        offers.offer(match, first=fresh)
        return
    if match.amount != amount:
        MatchChange.objects.create(
            run=run,
            match=match,
            kind=MatchChange.Kind.AMOUNT,
            old_amount=match.amount,
            new_amount=amount,
        )
        counts["amount"] += 1
    match.version_number = version.number
    match.amount, match.explanation = amount, explanation
    match.data_hash, match.run = row[engine.HASH], run
    match.subject_name = row[data.NAME_COLUMN] or match.subject_name
    match.save()


def _lapse_row(run, match, compiled, row, counts) -> None:
    match.explanation = compiled.explanation(row)
    match.data_hash = row[engine.HASH]
    match.save(update_fields=["explanation", "data_hash", "updated_at"])
    MatchChange.objects.create(
        run=run, match=match, kind=MatchChange.Kind.LOST, old_amount=match.amount
    )
    _to_lapsed(run, match)
    counts["lost"] += 1


def _snapshot(run, target: str, frame: pl.DataFrame) -> None:
    rows = frame.select(data.INDEX, engine.HASH).iter_rows()
    known = {
        s.subject_index: s
        for s in SubjectSnapshot.objects.filter(
            subject_kind=target, subject_index__in=frame[data.INDEX].to_list()
        )
    }
    new, changed = [], []
    for index, digest in rows:
        snapshot = known.get(index)
        if snapshot is None:
            new.append(
                SubjectSnapshot(subject_kind=target, subject_index=index, data_hash=digest, run=run)
            )
        elif snapshot.data_hash != digest:
            snapshot.data_hash, snapshot.run = digest, run
            changed.append(snapshot)
    SubjectSnapshot.objects.bulk_create(new, batch_size=2000)
    SubjectSnapshot.objects.bulk_update(changed, ["data_hash", "run"], batch_size=2000)


def why_not(policy: Policy, subject_index: str, as_of: datetime.date | None = None) -> dict | None:
    """For a person or enterprise looking at a policy they were not matched to: the explanation
    on their current data (read through the exchange, logged), or None when the data holds no
    record of them."""
    version = policy.current_version
    if version is None:
        return None
    frame = data.load_frame(policy.target, [subject_index])
    if frame.is_empty():
        return None
    compiled = engine.CompiledPolicy(
        policy.pk,
        version.eligibility,
        version.amount_formula,
        data.elements(policy.target),
        as_of or timezone.localdate(),
    )
    row = compiled.evaluate(frame, explain=True, keep=[data.INDEX]).to_dicts()[0]
    return {**compiled.explanation(row), "eligible": row["eligible"]}
