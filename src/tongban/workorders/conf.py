"""Work-order settings, read in one place. A setting that settings.py declares
(WORKORDER_CONFIDENCE_THRESHOLD, WORKORDER_CALLBACK_WORKING_DAYS) is read as `settings.NAME`:
its default is written there, once. The two below have their one default here.

WORKORDER_CITY_BOUNDS: (lng_min, lat_min, lng_max, lat_max), WGS-84, of the city's grid (许昌市,
rounded outwards, by default).
WORKORDER_MODEL_DIR: where the classifier's trained model is kept (DATA_DIR/classifier).
"""

from pathlib import Path

from django.conf import settings

DEFAULT_BOUNDS = (113.05, 33.70, 114.30, 34.40)


def city_bounds() -> tuple[float, float, float, float]:
    return tuple(getattr(settings, "WORKORDER_CITY_BOUNDS", DEFAULT_BOUNDS))


def model_dir() -> Path:
    return Path(getattr(settings, "WORKORDER_MODEL_DIR", settings.DATA_DIR / "classifier"))


def confidence_threshold() -> float:
    return float(settings.WORKORDER_CONFIDENCE_THRESHOLD)


def callback_working_days() -> int:
    """How many working days after 办结反馈 the 回访 is due (local practice varies)."""
    return int(settings.WORKORDER_CALLBACK_WORKING_DAYS)
