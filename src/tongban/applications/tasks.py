"""Scheduled intake housekeeping (found by Celery's autodiscovery; the pipeline tasks live in
pipeline.py). Upload files: a material file is written to storage before its row commits; when the
transaction rolls back (a refused move later in the same request, a lost connection) the file
stays behind with nothing pointing at it. A daily job deletes such files from the recent upload
folders once they are old enough that no transaction can still be about to commit them."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from tongban.applications.models import UploadedFile

log = logging.getLogger(__name__)
GRACE = datetime.timedelta(hours=1)
BATCH = 500


def _recent_folders(today: datetime.date) -> list[str]:
    """materials/%Y/%m/ of this month and the last (upload_to of UploadedFile.file)."""
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    return [f"materials/{day:%Y/%m}" for day in (today, last_month)]


def sweep_orphan_files(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    storage = UploadedFile._meta.get_field("file").storage
    removed = 0
    for folder in _recent_folders(timezone.localdate(now)):
        if not storage.exists(folder):
            continue
        names = [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
        for start in range(0, len(names), BATCH):
            batch = names[start : start + BATCH]
            known = set(UploadedFile.objects.filter(file__in=batch).values_list("file", flat=True))
            for name in batch:
                if name in known or storage.get_modified_time(name) > now - GRACE:
                    continue
                storage.delete(name)
                removed += 1
    if removed:
        log.info("removed %s upload files no application refers to", removed)
    return removed


@shared_task(name="tongban.applications.sweep_orphan_files")
def sweep_orphan_files_task() -> int:
    return sweep_orphan_files()
