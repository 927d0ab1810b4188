"""Policy (免申即享) settings with their one default here (none has a line in settings.py).

POLICIES_PARTITIONS: into how many partitions a matching run is split; each partition is one Celery task. A run is split by policy first and by subject (blind
index) only as far as POLICIES_SUBJECTS_PER_PARTITION requires (each unit holds its subjects'
data in memory: about 650 MB per 100,000 subjects with 2,214 policies).
"""

from django.conf import settings

DEFAULT_PARTITIONS = 2
DEFAULT_SUBJECTS_PER_PARTITION = 200_000


def partitions() -> int:
    return int(getattr(settings, "POLICIES_PARTITIONS", DEFAULT_PARTITIONS))


def subjects_per_partition() -> int:
    return int(getattr(settings, "POLICIES_SUBJECTS_PER_PARTITION", DEFAULT_SUBJECTS_PER_PARTITION))
