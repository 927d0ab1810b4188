"""Reading one document: from the stored file's bytes to checked field values, or a reason why not.

Pure (no database): the Celery task and the benchmark call `recognise`; the service layer stores
what it returns. Every field that is not offered says why, in words the person can act on.
"""

import io
import time
from dataclasses import asdict, dataclass, field

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from tongban.ocr import engine, kinds, messages, reading

# Below this a value is not offered: the person types it (or corrects the offer).
MIN_CONFIDENCE = 0.80
KEY_MIN_CONFIDENCE = 0.90  # identifiers carry check digits, but a low score still means a guess
MAX_SIDE = 1600  # huge scans are reduced before reading: the print stays legible, time bounded
MIN_SHORT_SIDE = 300
BLUR_THRESHOLD = 6.0  # mean edge strength; a sharp phone photo of a card measures 15–40
MANUAL = "未能识别，请手动填写"


class Unreadable(Exception):
    """The whole document could not be read; the message says why, in Chinese."""


@dataclass
class FieldResult:
    value: str
    confidence: float
    problem: str = ""  # set: the value is not offered, and this is why
    mended: bool = False  # the value is not what was read first: its check failed, or a surname

    @property
    def offered(self) -> bool:
        return bool(self.value) and not self.problem


@dataclass
class Result:
    kind: str
    fields: dict[str, FieldResult] = field(default_factory=dict)
    seconds: float = 0.0

    def as_json(self) -> dict:
        return {name: asdict(result) for name, result in self.fields.items()}


def _open_image(content: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(content))
        image = ImageOps.exif_transpose(image)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise Unreadable("图片无法打开或尺寸过大") from exc
    image = image.convert("RGB")
    if min(image.size) < MIN_SHORT_SIDE:
        raise Unreadable("图片分辨率太低，请靠近证件重新拍摄")
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def sharpness(image: Image.Image) -> float:
    """Mean edge strength of the grey image at a common size: low for a blurred photo."""
    grey = image.convert("L")
    grey.thumbnail((800, 800))
    edges = np.asarray(grey.filter(ImageFilter.FIND_EDGES), dtype=np.float32)
    return float(edges[2:-2, 2:-2].mean())


def _pdf_stream(content: bytes) -> reading.Stream:
    try:
        reader = PdfReader(io.BytesIO(content))
        text = "\n".join((page.extract_text() or "") for page in reader.pages[:3])
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise Unreadable("PDF 文件无法打开") from exc
    if len(text.strip()) < 10:
        raise Unreadable("PDF 是扫描件，没有文字层；请改为上传证件的照片（JPG 或 PNG）")
    return reading.stream_of_text(text)


def _image_stream(image: Image.Image, wanted: kinds.DocumentKind) -> reading.Stream:
    """Read the image; a photo taken upside down or sideways is turned until the kind shows."""
    stream = reading.stream_of(engine.read(np.asarray(image)))
    if wanted.code in reading.detect([wanted], stream):
        return stream
    for turn in (180, 90, 270):
        turned = reading.stream_of(engine.read(np.asarray(image.rotate(turn, expand=True))))
        if reading.detect([wanted], turned):
            return turned
    return stream


def _check_kind(wanted: kinds.DocumentKind, stream: reading.Stream, blurred: bool) -> None:
    if wanted.code in reading.detect([wanted], stream):
        return
    others = reading.detect([k for k in kinds.KINDS.values() if k is not wanted], stream)
    if others:
        raise Unreadable(
            messages.NOT_THIS_KIND % {"found": kinds.KINDS[others[0]].label, "wanted": wanted.label}
        )
    if blurred:
        raise Unreadable("图片模糊，请在光线充足处对准证件重新拍摄")
    if not stream.text.strip():
        raise Unreadable("没有找到文字，请确认拍摄的是证件正面并且完整清晰")
    raise Unreadable(messages.NOT_RECOGNISED % {"wanted": wanted.label})


def _checked(kind: kinds.DocumentKind, stream: reading.Stream) -> dict[str, FieldResult]:
    found = reading.labelled_values(kind, stream)
    out = {}
    for spec in kind.fields:
        raw = found.get(spec.name)
        if raw is None or not raw.raw:
            out[spec.name] = FieldResult("", 0.0, "材料上没有找到此项（可能被裁切、遮挡或反光）")
            continue
        value, problem = spec.check(raw.raw)
        as_read = value
        if spec.mend and raw.candidates:
            value, problem = spec.mend(raw.raw, raw.candidates)
        floor = KEY_MIN_CONFIDENCE if spec.key else MIN_CONFIDENCE
        if not problem and raw.confidence < floor:
            problem = messages.LOW_CONFIDENCE % {"score": f"{raw.confidence:.0%}"}
        out[spec.name] = FieldResult(
            "" if problem else value,
            round(raw.confidence, 3),
            problem,
            mended=bool(value) and not problem and value != as_read,
        )
    _cross_check(kind, out)
    return out


def _cross_check(kind: kinds.DocumentKind, fields: dict[str, FieldResult]) -> None:
    """An ID card's number repeats its birth date and sex: disagreement means a misread."""
    number, birth, sex = (fields.get(n) for n in ("id_number", "birth_date", "sex"))
    if not (number and number.offered):
        return
    digits = number.value
    if birth and birth.offered and birth.value.replace("-", "") != digits[6:14]:
        birth.problem, birth.value = "出生日期与身份证号码不一致", ""
    expected_sex = "男" if int(digits[16]) % 2 else "女"
    if sex and sex.offered and sex.value != expected_sex:
        sex.problem, sex.value = "性别与身份证号码不一致", ""


def recognise(content: bytes, content_type: str, kind_code: str) -> Result:
    """Read a document of the given kind. Raises Unreadable with the reason."""
    wanted = kinds.get(kind_code)
    if wanted is None:
        raise Unreadable("不支持识别这种材料")
    started = time.perf_counter()
    blurred = False
    if content_type == "application/pdf":
        stream = _pdf_stream(content)
    else:
        image = _open_image(content)
        blurred = sharpness(image) < BLUR_THRESHOLD
        stream = _image_stream(image, wanted)
    _check_kind(wanted, stream, blurred)
    fields = _checked(wanted, stream)
    if not any(f.offered for f in fields.values()):
        raise Unreadable(
            "图片模糊，未能读出任何一项" if blurred else "未能读出任何一项，请核对证件"
        )
    return Result(kind=wanted.code, fields=fields, seconds=time.perf_counter() - started)
