"""Write the small certificate photos the ocr tests read (needs CJK fonts: fonts-noto-cjk).

    tongban ocr_fixtures            # into src/tongban/ocr/tests/fixtures/

One photo per document kind with the values printed on it (truth.json), an ID card with a doubled
character in the name, and the bad inputs: a
blurred photo, a sideways one, and a scanned PDF without a text layer. Deterministic: the same
seeds draw the same certificates, so re-running changes nothing but the JPEG encoder's bytes.
"""

import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand
from PIL import Image, ImageFilter

from tongban.ocr import synthetic

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
SEED = 8
# An ID card whose name repeats its last character and whose second 一 the recogniser gives no frame
# of its own (engine.CandidateDecode puts it back from its trace).
DOUBLED = ("id_card_front", 507, {"name": "徐一一"})


def _jpeg(image: Image.Image, quality: int = 70) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


class Command(BaseCommand):
    help = "生成材料识别测试用的虚构证件照片"

    def handle(self, *args, **options):
        FIXTURES.mkdir(parents=True, exist_ok=True)
        truth = {}
        for kind in synthetic.SHEETS:
            content, values = synthetic.generate(kind, SEED, max_tilt=6)
            (FIXTURES / f"{kind}.jpg").write_bytes(content)
            truth[kind] = values
        (FIXTURES / "truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        )
        kind, seed, values = DOUBLED
        (FIXTURES / "doubled_name.jpg").write_bytes(
            synthetic.generate(kind, seed, values=values)[0]
        )
        front = Image.open(FIXTURES / "id_card_front.jpg")
        (FIXTURES / "blurred.jpg").write_bytes(_jpeg(front.filter(ImageFilter.GaussianBlur(6))))
        licence = Image.open(FIXTURES / "business_licence.jpg")
        (FIXTURES / "sideways.jpg").write_bytes(_jpeg(licence.rotate(90, expand=True)))
        scan = io.BytesIO()
        licence.convert("RGB").save(scan, "PDF", resolution=150)  # pixels only, no text layer
        (FIXTURES / "scan.pdf").write_bytes(scan.getvalue())
        for path in sorted(FIXTURES.iterdir()):
            self.stdout.write(f"{path.name}: {path.stat().st_size // 1024} KB")
