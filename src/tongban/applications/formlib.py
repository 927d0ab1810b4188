"""The standard application form every item starts with, until catalogue administrators publish
their own: who applies (prefilled), what is asked for, and how the result is delivered."""

PERSON = {"field": "applicant_kind", "equals": "person"}
ENTERPRISE = {"field": "applicant_kind", "equals": "enterprise"}
WITH_AGENT = {"field": "has_agent", "equals": True}


def _text(title, *, prefill=None, fmt=None, description="", max_length=100, **extra) -> dict:
    prop = {"type": "string", "title": title, "maxLength": max_length, **extra}
    if prefill:
        prop["x-prefill"] = prefill
    if fmt:
        prop["x-format"] = fmt
    if description:
        prop["description"] = description
    return prop


def applicant_properties() -> dict:
    return {
        "applicant_kind": {
            "type": "string",
            "title": "申请人类型",
            "enum": ["person", "enterprise"],
            "x-prefill": "application.applicant_kind",
        },
        "has_agent": {
            "type": "boolean",
            "title": "由经办人办理",
            "x-prefill": "application.has_agent",
        },
        "applicant_name": _text("申请人姓名", prefill="applicant.name", max_length=30),
        "applicant_id_number": _text(
            "申请人身份证号码", prefill="applicant.id_number", fmt="citizen_id", max_length=18
        ),
        "applicant_phone": _text(
            "申请人手机号码", prefill="applicant.phone", fmt="phone", max_length=11
        ),
        "applicant_address": _text("联系地址", prefill="applicant.address", max_length=200),
        "enterprise_name": _text("企业名称", prefill="enterprise.name", max_length=200),
        "enterprise_uscc": _text(
            "统一社会信用代码", prefill="enterprise.uscc", fmt="uscc", max_length=18
        ),
        "legal_rep": _text("法定代表人", prefill="enterprise.legal_rep", max_length=30),
        "agent_name": _text("经办人姓名", prefill="agent.name", max_length=30),
        "agent_id_number": _text(
            "经办人身份证号码", prefill="agent.id_number", fmt="citizen_id", max_length=18
        ),
        "agent_phone": _text("经办人手机号码", prefill="agent.phone", fmt="phone", max_length=11),
    }


APPLICANT_REQUIRED = [
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "enterprise_name",
    "enterprise_uscc",
    "legal_rep",
    "agent_name",
    "agent_phone",
]
APPLICANT_CONDITIONS = {
    "applicant_name": PERSON,
    "applicant_id_number": PERSON,
    "applicant_phone": PERSON,
    "applicant_address": PERSON,
    "enterprise_name": ENTERPRISE,
    "enterprise_uscc": ENTERPRISE,
    "legal_rep": ENTERPRISE,
    "agent_name": WITH_AGENT,
    "agent_id_number": WITH_AGENT,
    "agent_phone": WITH_AGENT,
}
APPLICANT_FIELDS = list(applicant_properties())

DELIVERY_PROPERTIES = {
    "delivery_method": {
        "type": "string",
        "title": "结果领取方式",
        "enum": ["window", "mail"],
        "x-enum-labels": ["窗口领取", "免费邮寄送达"],
    },
    "mail_address": _text(
        "邮寄地址", description="请写明区县、街道、门牌号", max_length=200, minLength=6
    ),
}


def build(
    content_properties: dict,
    content_required: list[str],
    *,
    content_title="申请内容",
    content_widgets: dict | None = None,
    content_conditions: dict | None = None,
) -> tuple[dict, dict]:
    """Schema and layout: 申请人信息 / the item's own section / 结果领取."""
    properties = {**applicant_properties(), **content_properties, **DELIVERY_PROPERTIES}
    schema = {
        "type": "object",
        "properties": properties,
        "required": APPLICANT_REQUIRED + content_required + ["delivery_method", "mail_address"],
    }
    layout = {
        "sections": [
            {
                "title": "申请人信息",
                "fields": APPLICANT_FIELDS,
                "help": "以下信息来自您的实名账户，无需再次填写。",
            },
            {"title": content_title, "fields": list(content_properties)},
            {"title": "结果领取", "fields": list(DELIVERY_PROPERTIES)},
        ],
        "widgets": {
            "applicant_kind": "hidden",
            "has_agent": "hidden",
            "delivery_method": "radio",
            **(content_widgets or {}),
        },
        "conditions": {
            **APPLICANT_CONDITIONS,
            "mail_address": {"field": "delivery_method", "equals": "mail"},
            **(content_conditions or {}),
        },
    }
    return schema, layout


def standard_definition() -> tuple[dict, dict]:
    return build(
        {
            "request_detail": _text(
                "申请事项说明",
                description="简要说明您要办理的具体事项",
                max_length=500,
                minLength=4,
            )
        },
        ["request_detail"],
        content_widgets={"request_detail": "textarea"},
    )
