"""Recognition fixtures: the samples (tongban.testing.factories.ocr_sample) and their truth."""

import json

import pytest

from tongban.testing.factories import OCR_SAMPLES as FIXTURES
from tongban.testing.factories import ocr_sample as fixture_bytes  # noqa: F401 (imported here)


@pytest.fixture(scope="session")
def truth() -> dict:
    return json.loads((FIXTURES / "truth.json").read_text())
