"""立案: every channel (hotline, web, API, grid worker, patrol) makes one work order the same way.

Validation happens before anything is written (text, type, phone, place inside the city, photos by
content); the classifier runs outside the transaction; numbering, the order, its photos, history and
audit are written in one transaction; a confident classification is routed and dispatched at once by
the system, anything else waits for the dispatcher.
"""

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tongban.applications.uploads import check_upload
from tongban.core import audit
from tongban.workorders import classifier, geo, routing
from tongban.workorders.actions import handling
from tongban.workorders.actions.common import TEXT_MAX, history, message_reporter
from tongban.workorders.audit_actions import AuditAction
from tongban.workorders.codes import SYSTEM, Channel, Kind, Urgency
from tongban.workorders.models import Category, GridCell, NumberSequence, Photo, WorkOrder

MAX_PHOTOS = 6
PHONE_PATTERN = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
# Channels where the reporter must leave a phone: they follow the order by number + phone tail.
PHONE_REQUIRED = {Channel.HOTLINE, Channel.WEB, Channel.API}
# 数字城管 patrols: the patroller files what they saw, with a photo, the place and the category.
PATROL_CATEGORY_ROOT = "CG"  # 城市管理
# 咨询 is answered, 表扬 passed on, by the 12345 centre itself: never dispatched automatically.
NOT_AUTO_DISPATCHED = {Kind.CONSULT, Kind.PRAISE}


@dataclass
class Report:
    text: str
    kind: str = Kind.COMPLAINT
    channel: str = Channel.WEB
    urgency: str = Urgency.NORMAL
    address: str = ""
    lng: object = None
    lat: object = None
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter: object = None
    photos: list = field(default_factory=list)
    category_code: str = ""
    grid_code: str = ""  # a patroller's or grid worker's cell, when the position is not known


@dataclass
class Checked:
    text: str
    lng: Decimal | None
    lat: Decimal | None
    phone: str
    photos: list
    category: Category | None
    grid_cell: GridCell | None = None


def _coordinates(report: Report, errors: dict) -> tuple[Decimal | None, Decimal | None]:
    if report.lng in (None, "") and report.lat in (None, ""):
        return None, None
    try:
        lng = Decimal(str(report.lng)).quantize(Decimal("0.000001"))
        lat = Decimal(str(report.lat)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors["location"] = ["位置坐标格式不正确，请重新定位或手动填写地址"]
        return None, None
    if not geo.inside_city(float(lng), float(lat)):
        errors["location"] = ["位置不在本市范围内，请确认定位或填写本市地址"]
        return None, None
    return lng, lat


def _photos(uploads, errors: dict) -> list:
    uploads = [u for u in uploads or [] if u is not None]
    if len(uploads) > MAX_PHOTOS:
        errors["photos"] = [f"照片最多上传{MAX_PHOTOS}张"]
        return []
    checked = []
    for upload in uploads:
        try:
            result = check_upload(upload)
        except ValidationError as error:
            errors.setdefault("photos", []).extend(error.messages)
            continue
        if not result.content_type.startswith("image/"):
            errors.setdefault("photos", []).append(
                "照片只能是 JPG 或 PNG 图片（系统按文件内容识别）"
            )
            continue
        checked.append(result)
    return checked


def check(report: Report) -> Checked:
    """All of a report's problems at once, in Chinese; raises ValidationError with field keys."""
    errors: dict[str, list[str]] = {}
    text = (report.text or "").replace("\x00", "").strip()
    if not text:
        errors["text"] = ["请填写诉求内容"]
    elif len(text) > TEXT_MAX:
        errors["text"] = [f"诉求内容不能超过{TEXT_MAX}字，请精简后再提交"]
    if report.kind not in Kind.values:
        errors["kind"] = ["请选择诉求类型（咨询、求助、投诉、举报、建议、表扬）"]
    if report.urgency not in Urgency.values:
        errors["urgency"] = ["紧急程度应为紧急、较急或一般"]
    if report.channel not in Channel.values:
        errors["channel"] = ["来源渠道不正确"]
    phone = re.sub(r"[\s]", "", report.reporter_phone or "")
    if phone and not PHONE_PATTERN.match(phone):
        errors["reporter_phone"] = ["联系电话格式不正确（手机号11位或带区号的固定电话）"]
    elif not phone and report.channel in PHONE_REQUIRED and report.reporter is None:
        errors["reporter_phone"] = ["请留下联系电话，以便承办单位联系和回访"]
    if len(report.reporter_name or "") > 40:
        errors["reporter_name"] = ["姓名不能超过40字"]
    if len(report.address or "") > 200:
        errors["address"] = ["地址不能超过200字"]
    lng, lat = _coordinates(report, errors)
    category = None
    if report.category_code:
        category = Category.objects.filter(code=report.category_code, is_active=True).first()
        if category is None:
            errors["category"] = ["所选分类不存在或已停用"]
    grid_cell = None
    grid_code = (report.grid_code or "").strip()
    if grid_code:
        grid_cell = GridCell.objects.filter(code=grid_code).only("pk", "region_id").first()
        if grid_cell is None:
            errors["grid_code"] = ["网格编码不存在，请核对或使用定位"]
    photos = _photos(report.photos, errors)
    if report.channel == Channel.PATROL:
        _check_patrol(report, category, photos, lng, grid_cell, errors)
    if errors:
        raise ValidationError(errors)
    return Checked(text, lng, lat, phone, photos, category, grid_cell)


def _check_patrol(report, category, photos, lng, grid_cell, errors: dict) -> None:
    """A patrol report carries evidence: a photo, a place (position or grid cell), a category of
    城市管理."""
    if not photos and "photos" not in errors:
        errors["photos"] = ["巡查上报请至少拍摄一张现场照片"]
    if lng is None and grid_cell is None and "location" not in errors and "grid_code" not in errors:
        errors["location"] = ["请定位或填写网格编码"]
    if not report.category_code:
        errors["category"] = ["请选择问题分类"]
    elif category is not None and not (
        category.parent_id and category.parent.code == PATROL_CATEGORY_ROOT
    ):
        errors["category"] = ["巡查上报的分类应为城市管理类"]


def next_number(now) -> str:
    """YYYYMMDD + 6 digits, unique: the day's counter row is locked while a number is taken."""
    day = timezone.localtime(now).date()
    NumberSequence.objects.get_or_create(day=day)
    sequence = NumberSequence.objects.select_for_update().get(day=day)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{day:%Y%m%d}{sequence.last:06d}"


def save_photo(order: WorkOrder, checked_file, stage: str) -> Photo:
    photo = Photo(
        order=order, stage=stage, content_type=checked_file.content_type, sha256=checked_file.sha256
    )
    photo.file.save(
        f"{uuid.uuid4().hex}.{checked_file.extension}",
        ContentFile(checked_file.content),
        save=False,
    )
    photo.save()
    return photo


def submit(report: Report, *, actor=None) -> WorkOrder:
    """立案 from any channel; returns the order, already dispatched when the classifier is sure."""
    checked = check(report)
    prediction = classifier.predict(checked.text)
    if checked.lng is not None:
        place = geo.locate(checked.lng, checked.lat)
    elif checked.grid_cell is not None:
        place = geo.Place(checked.grid_cell.pk, checked.grid_cell.region_id)
    else:
        place = geo.Place(None, None)
    suggested = None
    if prediction is not None:
        suggested = Category.objects.filter(code=prediction.category_code).first()
    category = checked.category or (suggested if prediction and prediction.confident else None)
    with transaction.atomic(), audit.gathered():
        order = WorkOrder(
            number=next_number(timezone.now()),
            kind=report.kind,
            channel=report.channel,
            urgency=report.urgency,
            text=checked.text,
            address=(report.address or "").strip(),
            lng=checked.lng,
            lat=checked.lat,
            grid_cell_id=place.grid_cell_id,
            region_id=place.region_id,
            reporter_name=(report.reporter_name or "").strip(),
            reporter=report.reporter,
            created_by=actor,
            category=category,
            suggested_category=suggested,
            confidence=prediction.confidence if prediction else None,
            model_version=prediction.version if prediction else "",
        )
        phone = checked.phone or (report.reporter.phone if report.reporter else "")
        order.set_reporter_phone(phone or "")
        order.save()
        for photo in checked.photos:
            save_photo(order, photo, Photo.Stage.REPORT)
        history(order, "register", "", actor=actor, as_kind=SYSTEM if actor is None else "staff")
        audit.record(
            AuditAction.REGISTER,
            actor=actor,
            obj=order,
            detail={
                "channel": order.channel,
                "kind": order.kind,
                "suggested": prediction.category_code if prediction else None,
                "confidence": order.confidence,
            },
        )
        message_reporter(order, "register")
        if category is not None and report.kind not in NOT_AUTO_DISPATCHED:
            auto_dispatch(order)
    return order


def auto_dispatch(order: WorkOrder) -> bool:
    """Route by the rules and dispatch as the system; leaves the order to the dispatcher when no
    rule or default names a department."""
    decision = routing.route(order.category, order.region, order.grid_cell_id)
    if decision.department is None:
        return False
    handling.dispatch_as(
        order,
        department=decision.department,
        rule=decision.rule,
        note=decision.note,
        actor=None,
        as_kind=SYSTEM,
    )
    return True
