"""Application forms defined as data: a JSON Schema for the values plus a layout.

Layout: {"sections": [{"title": str, "fields": [name, …], "help": str}],
         "widgets": {name: "textarea" | "radio" | "date" | "checkbox"},
         "conditions": {name: {"field": other, "equals": value}}}
Schema extensions: "x-prefill": a prefill key (see applications.prefill); "x-format": one of
"citizen_id", "uscc", "phone", "bank_account" (checked with the platform's identifier rules); "x-error": the message
shown when "pattern" does not match; "x-enum-labels": labels for "enum" values.

A field whose condition is false is hidden, not required, and dropped from the data.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from tongban.core import identifiers, pii

PHONE = re.compile(r"1[3-9]\d{9}")
BANK_ACCOUNT = re.compile(r"\d{12,30}")
WIDGETS = {"textarea", "radio", "date", "checkbox", "select", "text", "hidden"}


@dataclass
class Field:
    name: str
    label: str
    kind: str  # string | integer | number | boolean
    widget: str
    help: str = ""
    required: bool = False
    readonly: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)
    condition: dict | None = None
    value: object = None
    error: str = ""
    hidden: bool = False
    sensitive: bool = False  # personal data shown masked (see SENSITIVE_FORMATS)


# --- definition checks (used when catalogue administrators save a form) ---------------------------


def check_definition(schema: dict, layout: dict) -> None:
    errors = []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        errors.append(f"数据结构不是有效的 JSON Schema：{exc.message}")
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        errors.append('数据结构的顶层必须是 {"type": "object", "properties": {…}}')
    properties = schema.get("properties") or {}
    sections = layout.get("sections") if isinstance(layout, dict) else None
    if not sections:
        errors.append("页面布局至少需要一个分节（sections）")
        sections = []
    placed = [name for section in sections for name in section.get("fields", [])]
    unknown = sorted(set(placed) - set(properties))
    if unknown:
        errors.append(f"布局引用了不存在的字段：{'、'.join(unknown)}")
    unplaced = sorted(set(properties) - set(placed))
    if unplaced:
        errors.append(f"这些字段没有放入任何分节：{'、'.join(unplaced)}")
    duplicates = sorted({n for n in placed if placed.count(n) > 1})
    if duplicates:
        errors.append(f"字段重复出现在多个分节：{'、'.join(duplicates)}")
    for name, condition in (layout.get("conditions") or {}).items():
        if name not in properties or condition.get("field") not in properties:
            errors.append(f"显示条件引用了不存在的字段：{name}")
    bad_widgets = sorted(w for w in (layout.get("widgets") or {}).values() if w not in WIDGETS)
    if bad_widgets:
        errors.append(f"不支持的控件：{'、'.join(bad_widgets)}")
    if errors:
        raise ValidationError(errors)


# --- reading a definition ---------------------------------------------------------------------------


def _widget(name: str, prop: dict, layout: dict) -> str:
    chosen = (layout.get("widgets") or {}).get(name)
    if chosen:
        return chosen
    if prop.get("type") == "boolean":
        return "checkbox"
    if "enum" in prop:
        return "select"
    if prop.get("format") == "date":
        return "date"
    return "text"


def fields_of(schema: dict, layout: dict, section_fields: list[str]) -> list[Field]:
    properties, required = schema.get("properties", {}), set(schema.get("required", []))
    conditions = layout.get("conditions") or {}
    out = []
    for name in section_fields:
        prop = properties[name]
        labels = prop.get("x-enum-labels") or [str(v) for v in prop.get("enum", [])]
        out.append(
            Field(
                name=name,
                label=prop.get("title", name),
                kind=prop.get("type", "string"),
                widget=_widget(name, prop, layout),
                help=prop.get("description", ""),
                required=name in required,
                readonly=bool(prop.get("x-prefill")),
                choices=[
                    (str(v), str(lbl)) for v, lbl in zip(prop.get("enum", []), labels, strict=False)
                ],
                condition=conditions.get(name),
                sensitive=is_sensitive(prop),
            )
        )
    return out


# --- personal data in form values -------------------------------------------------------------------
# Fields of these formats hold personal data: shown masked everywhere (pages, API), in full only
# through an audited reveal (applications.actions.reveal_form_value).
SENSITIVE_FORMATS = {
    "citizen_id": pii.mask_id_number,
    "phone": pii.mask_phone,
    "bank_account": pii.mask_bank_account,
}


def is_sensitive(prop: dict) -> bool:
    return prop.get("x-format") in SENSITIVE_FORMATS


def mask_value(prop: dict, value):
    if not value or not is_sensitive(prop):
        return value
    return SENSITIVE_FORMATS[prop["x-format"]](str(value))


def masked_data(schema: dict, data: dict) -> dict:
    properties = schema.get("properties", {})
    return {name: mask_value(properties.get(name, {}), value) for name, value in data.items()}


def is_visible(condition: dict | None, data: dict) -> bool:
    return condition is None or data.get(condition["field"]) == condition.get("equals")


# --- values ------------------------------------------------------------------------------------------


def coerce(prop: dict, raw) -> object:
    """What the person typed → the value we keep. Uncoercible input is kept as typed (never lost)
    and reported by `errors_for`."""
    kind = prop.get("type", "string")
    if kind == "boolean":
        return raw in (True, "on", "true", "1", "yes")
    text = (raw if isinstance(raw, str) else "" if raw is None else str(raw)).strip()
    if text == "":
        return None
    if kind == "integer":
        return int(text) if re.fullmatch(r"-?\d{1,12}", text) else text
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            return text
    if prop.get("x-format") in {"citizen_id", "uscc"}:
        return text.upper().replace(" ", "")
    if prop.get("x-format") in {"bank_account", "phone"}:
        # Typed as printed on the card or read out in groups: "6217 0000 0000 0000 001".
        return re.sub(r"[\s-]", "", text)
    return text


def _message(error, prop: dict) -> str:
    validator, value = error.validator, error.validator_value
    if validator == "type":
        return {"integer": _("请填写整数"), "number": _("请填写数字")}.get(value, _("格式不正确"))
    if validator == "minLength":
        return _("至少填写 %(value)s 个字") % {"value": value}
    if validator == "maxLength":
        return _("不能超过 %(value)s 个字") % {"value": value}
    if validator == "minimum":
        return _("不能小于 %(value)s") % {"value": value}
    if validator == "maximum":
        return _("不能大于 %(value)s") % {"value": value}
    if validator == "enum":
        return _("请从选项中选择")
    if validator == "pattern":
        return prop.get("x-error", _("格式不正确"))
    return prop.get("x-error", _("填写的内容不符合要求"))


def _format_problem(prop: dict, value) -> str:
    fmt = prop.get("x-format") or prop.get("format")
    if not isinstance(value, str):
        return ""
    if fmt == "citizen_id":
        result = identifiers.check_citizen_id(value)
        return "" if result.valid else result.reason
    if fmt == "uscc":
        result = identifiers.check_uscc(value)
        return "" if result.valid else result.reason
    if fmt == "phone" and not PHONE.fullmatch(value):
        return _("手机号码应为以1开头的11位数字")
    if fmt == "bank_account" and not BANK_ACCOUNT.fullmatch(value):
        return _("银行账号应为12至30位数字")
    if fmt == "date":
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return _("日期格式应为 年-月-日")
    return ""


def required_message(prop: dict) -> str:
    """What to do about an empty field, naming it: the message also shows in summaries and API
    errors without its label."""
    title = prop.get("title", _("此项"))
    if prop.get("type") == "boolean":
        return _("请勾选“%(title)s”") % {"title": title}
    if "enum" in prop:
        return _("请选择%(title)s") % {"title": title}
    return _("请填写%(title)s") % {"title": title}


def error_for(prop: dict, value, *, required: bool) -> str:
    if (
        value is None
        or value == ""
        or (value is False and required and prop.get("type") == "boolean")
    ):
        return required_message(prop) if required else ""
    for error in Draft202012Validator(prop).iter_errors(value):
        return _message(error, prop)
    return _format_problem(prop, value)


def visible_fields(schema: dict, layout: dict, data: dict) -> list[str]:
    conditions = layout.get("conditions") or {}
    return [
        n
        for s in layout.get("sections", [])
        for n in s.get("fields", [])
        if is_visible(conditions.get(n), data)
    ]


def validate(
    schema: dict, layout: dict, data: dict, only: list[str] | None = None
) -> dict[str, str]:
    """Field → Chinese message for every visible field (of `only`, if given) that is wrong."""
    properties, required = schema.get("properties", {}), set(schema.get("required", []))
    names = visible_fields(schema, layout, data)
    if only is not None:
        names = [n for n in names if n in only]
    errors = {}
    for name in names:
        problem = error_for(properties[name], data.get(name), required=name in required)
        if problem:
            errors[name] = problem
    return errors


def clean_for_submission(schema: dict, layout: dict, data: dict) -> dict:
    """Only the visible fields' values: a hidden conditional field's old answer is not submitted."""
    keep = set(visible_fields(schema, layout, data))
    return {k: v for k, v in data.items() if k in keep}
