"""The elements of an item version (国家标准 GB/T 45388 fields): validation of each and whether a draft is complete enough to publish."""

from tongban.catalog import codes, conf
from tongban.catalog.actions.common import ELEMENT_LABELS
from tongban.catalog.models import (
    BasicItem,
    ItemVersion,
    SituationOption,
)
from tongban.catalog.states import ITEM_VERSION, SYSTEM, TRANSITIONS  # noqa: F401 (public)
from tongban.core.models import Department
from tongban.identity import realname

# --- element validation -----------------------------------------------------------------------


def working_day_equivalent(amount: int | None, unit: str) -> float | None:
    """Time limits in working-day terms so 自然日 and 工作日 limits can be compared (5 of 7)."""
    if amount is None:
        return None
    return amount if unit == codes.LimitUnit.WORKING_DAYS else amount * 5 / 7


def _check_codes(value: str, choices, field: str, label: str, errors: dict, required=True) -> None:
    parts = codes.split_codes(value)
    if required and not parts:
        errors[field] = [f"请选择{label}"]
    bad = [p for p in parts if p not in choices.values]
    if bad:
        errors[field] = [f"{label}代码无效：{'、'.join(bad)}"]


def validate_elements(basic: BasicItem, data: dict) -> dict:
    """Errors for a version's elements (all of them present in `data`)."""
    errors: dict = {}
    for name in conf.locked_elements():
        if str(data.get(name) or "") != str(getattr(basic, name) or ""):
            errors[name] = [f"“{ELEMENT_LABELS[name]}”继承自基本目录事项，实施清单中不能修改"]
    if not (data.get("name") or "").strip():
        errors.setdefault("name", ["请填写事项名称"])
    elif len(data["name"]) > 200:
        errors.setdefault("name", ["事项名称不能超过200字"])
    if data.get("item_type") not in codes.ItemType.values:
        errors.setdefault("item_type", ["事项类型代码无效"])
    _check_codes(
        data.get("service_object"), codes.ServiceObject, "service_object", "服务对象", errors
    )
    _check_codes(
        data.get("handling_forms"), codes.HandlingForm, "handling_forms", "办理形式", errors
    )
    _check_codes(
        data.get("person_themes"),
        codes.PersonTheme,
        "person_themes",
        "自然人服务主题",
        errors,
        False,
    )
    _check_codes(
        data.get("enterprise_themes"),
        codes.EnterpriseTheme,
        "enterprise_themes",
        "法人服务主题",
        errors,
        False,
    )
    if data.get("implementer_nature") not in Department.Nature.values:
        errors["implementer_nature"] = ["实施主体性质代码应为1、2、3或9"]
    if data.get("handling_type") not in codes.HandlingType.values:
        errors["handling_type"] = ["办件类型代码无效"]
    if data.get("scope", "") not in codes.Scope.values:
        errors["scope"] = ["通办范围无效"]
    for field in ("legal_limit_unit", "promised_limit_unit"):
        if data.get(field) not in codes.LimitUnit.values:
            errors[field] = ["时限单位应为工作日或自然日"]
    for field in ("legal_limit", "promised_limit", "max_visits"):
        value = data.get(field)
        if value is not None and (not isinstance(value, int) or value < 0):
            errors[field] = ["应为不小于0的整数"]
    if "legal_limit" not in errors and "promised_limit" not in errors:
        legal = working_day_equivalent(data.get("legal_limit"), data.get("legal_limit_unit"))
        promised = working_day_equivalent(
            data.get("promised_limit"), data.get("promised_limit_unit")
        )
        if legal is not None and promised is not None and promised > legal:
            errors["promised_limit"] = ["承诺办结时限不能长于法定办结时限"]
    if data.get("is_online") and not (data.get("online_url") or "").strip():
        errors["online_url"] = ["支持网办的事项应填写网办地址"]
    if data.get("charges_fee") and not (data.get("fee_basis") or "").strip():
        errors["fee_basis"] = ["收费事项应填写收费依据"]
    faq = data.get("faq") or []
    if not isinstance(faq, list) or any(
        not isinstance(e, dict) or not e.get("q") or not e.get("a") for e in faq
    ):
        errors["faq"] = ["常见问题应为问答列表，每条都有问题和解答"]
    _check_realname_level(data, errors)
    return errors


def _check_realname_level(data: dict, errors: dict) -> None:
    """The element "required real-name level": one of identity's levels 0–3 (absent means 0)."""
    level = data.get("required_realname_level", 0)
    if level is None:
        level = 0
    if isinstance(level, bool) or not isinstance(level, int) or level not in realname.LEVELS:
        errors["required_realname_level"] = ["所需实名认证等级应为0（不要求）、1、2或3"]


def completeness_problems(version: ItemVersion) -> dict:
    """What a version still lacks before it may be published."""
    problems: dict = {}
    required = {
        "legal_basis": "设定依据",
        "acceptance_conditions": "受理条件",
        "process": "办理流程",
        "result_name": "结果名称",
        "consult_phone": "咨询电话",
        "supervision_phone": "监督电话",
        "office_hours": "办理时间",
    }
    for field, label in required.items():
        if not (getattr(version, field) or "").strip():
            problems[field] = [f"发布前请填写{label}"]
    if version.legal_limit is None and not version.legal_limit_note.strip():
        problems["legal_limit"] = ["发布前请填写法定办结时限（无法定时限时在说明中写明）"]
    if version.promised_limit is None:
        problems["promised_limit"] = ["发布前请填写承诺办结时限"]
    if not version.materials.exists():
        problems["materials"] = ["发布前请至少填写一项申请材料"]
    if not version.is_online and not version.halls.exists():
        problems["halls"] = ["发布前请填写办理地点或开通网上办理"]
    handling = list(version.handling_items.all())
    for question in version.questions.prefetch_related("options"):
        if len(question.options.all()) < 2:
            problems.setdefault("questions", []).append(
                f"情形问题“{question.text}”至少需要两个选项"
            )
    if len(handling) > 1:
        selectable = set(
            SituationOption.objects.filter(
                question__version=version, handling_item__isnull=False
            ).values_list("handling_item_id", flat=True)
        )
        missing = [h.name for h in handling if h.pk not in selectable]
        if missing:
            problems.setdefault("questions", []).append(
                f"有多个业务办理项时，每个都应能通过情形问题选中：{'、'.join(missing)}"
            )
    return problems
