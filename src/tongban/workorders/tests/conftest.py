"""Work-order fixtures: the demo city's departments, categories, grid, rules, sensors and staff, and
one classifier trained per test session on a slice of the repository corpus."""

import io

import pytest
from PIL import Image

from tongban.accounts.models import User
from tongban.core import demo as core_demo
from tongban.workorders import classifier, corpus, demo, geo
from tongban.workorders.models import Sensor

TRAINING_ROWS = 8000


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("classifier")


@pytest.fixture(autouse=True)
def _session_model(settings, model_dir):
    """Every test sees the same trained model; training happens once per session."""
    settings.WORKORDER_MODEL_DIR = str(model_dir)
    if classifier.current_version() is None:
        classifier.forget_loaded_model()
        classifier.train(rows=corpus.read()[:TRAINING_ROWS])


@pytest.fixture
def city(db):
    core_demo.load_regions()
    departments = core_demo.load_departments()
    categories = demo.load_categories()
    geo.load_cells(geo.read_grid_file())
    demo.load_rules(categories)
    demo.load_sensors(categories)
    demo.load_knowledge(categories)
    staff = demo.load_staff()
    staff["supervisor_wo"] = _supervisor()
    return {"departments": departments, "categories": categories, "staff": staff}


def _supervisor():
    from tongban.accounts import actions
    from tongban.accounts.roles import Role

    return actions.create_staff(
        actor=None,
        login_name="wosupervisor",
        display_name="效能监察员",
        department=core_demo.department("rx"),
        roles=[Role.SUPERVISOR],
        password="Tongban2026",
    )


@pytest.fixture
def staff(city) -> dict[str, User]:
    return city["staff"]


@pytest.fixture
def sensor(city) -> Sensor:
    return Sensor.objects.get(code="MH-WW-017")


def jpeg_bytes(colour="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("manhole.jpg", jpeg_bytes(), content_type="image/jpeg")


# A point in 魏都区's urban core (西大街道) and one far outside the city.
IN_CITY = ("113.801500", "34.031000")
OUTSIDE = ("116.400000", "39.900000")
