"""Tongban (通办): an integrated online government-service platform."""

from .celery import app as celery_app

__all__ = ["celery_app"]
