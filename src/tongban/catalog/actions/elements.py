"""The elements of an item version (国家标准 GB/T 45388 fields): validation of each and whether a draft is complete enough to publish."""

from django.utils.translation import gettext as _

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
        errors[field] = [_("请选择%(label)s") % {"label": label}]
    bad = [p for p in parts if p not in choices.values]
    if bad:
        errors[field] = [
            _("%(label)s代码无效：%(codes)s") % {"label": label, "codes": "、".join(bad)}
        ]


def validate_elements(basic: BasicItem, data: dict) -> dict:
    """Errors for a version's elements (all of them present in `data`)."""
    errors: dict = {}
    for name in conf.locked_elements():
        if str(data.get(name) or "") != str(getattr(basic, name) or ""):
            errors[name] = [
                _("“%(element)s”继承自基本目录事项，实施清单中不能修改")
                % {"element": ELEMENT_LABELS[name]}
            ]
    if not (data.get("name") or "").strip():
        errors.setdefault("name", [_("请填写事项名称")])
    elif len(data["name"]) > 200:
        errors.setdefault("name", [_("事项名称不能超过200字")])
    if data.get("item_type") not in codes.ItemType.values:
        errors.setdefault("item_type", [_("事项类型代码无效")])
    _check_codes(
        data.get("service_object"), codes.ServiceObject, "service_object", _("服务对象"), errors
    )
    _check_codes(
        data.get("handling_forms"), codes.HandlingForm, "handling_forms", _("办理形式"), errors
    )
    _check_codes(
        data.get("person_themes"),
        codes.PersonTheme,
        "person_themes",
        _("自然人服务主题"),
        errors,
        False,
    )
    _check_codes(
        data.get("enterprise_themes"),
        codes.EnterpriseTheme,
        "enterprise_themes",
        _("法人服务主题"),
        errors,
        False,
    )
    if data.get("implementer_nature") not in Department.Nature.values:
        errors["implementer_nature"] = [_("实施主体性质代码应为1、2、3或9")]
    if data.get("handling_type") not in codes.HandlingType.values:
        errors["handling_type"] = [_("办件类型代码无效")]
    if data.get("scope", "") not in codes.Scope.values:
        errors["scope"] = [_("通办范围无效")]
    for field in ("legal_limit_unit", "promised_limit_unit"):
        if data.get(field) not in codes.LimitUnit.values:
            errors[field] = [_("时限单位应为工作日或自然日")]
    for field in ("legal_limit", "promised_limit", "max_visits"):
        value = data.get(field)
        if value is not None and (not isinstance(value, int) or value < 0):
            errors[field] = [_("应为不小于0的整数")]
    if "legal_limit" not in errors and "promised_limit" not in errors:
        legal = working_day_equivalent(data.get("legal_limit"), data.get("legal_limit_unit"))
        promised = working_day_equivalent(
            data.get("promised_limit"), data.get("promised_limit_unit")
        )
        if legal is not None and promised is not None and promised > legal:
            errors["promised_limit"] = [_("承诺办结时限不能长于法定办结时限")]
    if data.get("is_online") and not (data.get("online_url") or "").strip():
        errors["online_url"] = [_("支持网办的事项应填写网办地址")]
    if data.get("charges_fee") and not (data.get("fee_basis") or "").strip():
        errors["fee_basis"] = [_("收费事项应填写收费依据")]
    faq = data.get("faq") or []
    if not isinstance(faq, list) or any(
        not isinstance(e, dict) or not e.get("q") or not e.get("a") for e in faq
    ):
        errors["faq"] = [_("常见问题应为问答列表，每条都有问题和解答")]
    _check_realname_level(data, errors)
    return errors


def _check_realname_level(data: dict, errors: dict) -> None:
    """The element "required real-name level": one of identity's levels 0–3 (absent means 0)."""
    level = data.get("required_realname_level", 0)
    if level is None:
        level = 0
    if isinstance(level, bool) or not isinstance(level, int) or level not in realname.LEVELS:
        errors["required_realname_level"] = [_("所需实名认证等级应为0（不要求）、1、2或3")]


def completeness_problems(version: ItemVersion) -> dict:
    """What a version still lacks before it may be published."""
    problems: dict = {}
    required = {
        "legal_basis": _("设定依据"),
        "acceptance_conditions": _("受理条件"),
        "process": _("办理流程"),
        "result_name": _("结果名称"),
        "consult_phone": _("咨询电话"),
        "supervision_phone": _("监督电话"),
        "office_hours": _("办理时间"),
    }
    for field, label in required.items():
        if not (getattr(version, field) or "").strip():
            problems[field] = [_("发布前请填写%(element)s") % {"element": label}]
    if version.legal_limit is None and not version.legal_limit_note.strip():
        problems["legal_limit"] = [_("发布前请填写法定办结时限（无法定时限时在说明中写明）")]
    if version.promised_limit is None:
        problems["promised_limit"] = [_("发布前请填写承诺办结时限")]
    if not version.materials.exists():
        problems["materials"] = [_("发布前请至少填写一项申请材料")]
    if not version.is_online and not version.halls.exists():
        problems["halls"] = [_("发布前请填写办理地点或开通网上办理")]
    handling = list(version.handling_items.all())
    for question in version.questions.prefetch_related("options"):
        if len(question.options.all()) < 2:
            problems.setdefault("questions", []).append(
                _("情形问题“%(question)s”至少需要两个选项") % {"question": question.text}
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
                _("有多个业务办理项时，每个都应能通过情形问题选中：%(items)s")
                % {"items": "、".join(missing)}
            )
    return problems
