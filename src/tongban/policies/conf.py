"""Policy (免申即享) settings with their one default here (none has a line in settings.py).

POLICIES_PARTITIONS: into how many partitions (by blind index) a matching run splits the
population; each partition is one Celery task.
"""

from django.conf import settings

DEFAULT_PARTITIONS = 2


def partitions() -> int:
    return int(getattr(settings, "POLICIES_PARTITIONS", DEFAULT_PARTITIONS))
