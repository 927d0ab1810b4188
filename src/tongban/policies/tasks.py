from celery import shared_task

from tongban.policies.actions import lifecycle, matching
from tongban.policies.models import MatchRun


@shared_task(name="tongban.policies.match_partition", acks_late=True)
def match_partition(
    run_id: int,
    target: str,
    subject_indexes: list[str],
    policy_ids=None,
    lead: bool = True,
    all_policies: bool | None = None,
) -> None:
    """One partition of a matching run; any worker may take it."""
    matching.run_partition(
        run_id, target, subject_indexes, policy_ids, lead=lead, all_policies=all_policies
    )


@shared_task(name="tongban.policies.incremental_run", acks_late=True)
def incremental_run() -> int:
    """Re-match the subjects whose shared data changed since the last run."""
    return matching.start_run(kind=MatchRun.Kind.INCREMENTAL).pk


@shared_task(name="tongban.policies.expire_due", acks_late=True)
def expire_due() -> int:
    return lifecycle.expire_due()
