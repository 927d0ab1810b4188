"""Application settings (defaults in tongban/settings.py, from TONGBAN_* environment variables):
a setting that settings.py declares is read here as `settings.NAME`, its default written there once.

UPLOAD_MAX_MB: the largest material file a person may upload.
UPLOAD_MAX_PAGES: the most pages an uploaded PDF may have.
"""

from django.conf import settings


def upload_max_bytes() -> int:
    return int(settings.UPLOAD_MAX_MB) * 1024 * 1024


def upload_max_pages() -> int:
    return int(settings.UPLOAD_MAX_PAGES)
