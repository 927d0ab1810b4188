"""Demo application forms for the items the journeys use; every other item gets the standard form
on its first application. Idempotent: a form is published only when the item has none yet."""

from tongban.applications import actions, formlib
from tongban.applications.models import ApplicationForm
from tongban.catalog.models import ServiceItem

BANKS = [
    "中国工商银行",
    "中国农业银行",
    "中国银行",
    "中国建设银行",
    "中国邮政储蓄银行",
    "许昌农商银行",
]


def elderly_allowance_form() -> tuple[dict, dict]:
    return formlib.build(
        {
            "household_region": {
                "type": "string",
                "title": "户籍所在县（市、区）",
                "enum": ["魏都区", "建安区", "鄢陵县", "襄城县", "禹州市", "长葛市"],
            },
            "living_alone": {"type": "boolean", "title": "本人独居，没有赡养人"},
            "guardian_name": {
                "type": "string",
                "title": "赡养人姓名",
                "maxLength": 30,
                "minLength": 2,
            },
            "guardian_phone": {
                "type": "string",
                "title": "赡养人手机号码",
                "x-format": "phone",
                "maxLength": 11,
            },
            "bank_name": {"type": "string", "title": "津贴发放银行", "enum": BANKS},
            "bank_account": {
                "type": "string",
                "title": "社会保障卡银行账号",
                "x-format": "bank_account",
                "pattern": r"^\d{16,19}$",
                "x-error": "银行账号应为16至19位数字",
                "description": "请填写社会保障卡金融账户",
            },
        },
        ["household_region", "guardian_name", "guardian_phone", "bank_name", "bank_account"],
        content_title="申领信息",
        content_widgets={"household_region": "select", "bank_name": "select"},
        content_conditions={
            "guardian_name": {"field": "living_alone", "equals": False},
            "guardian_phone": {"field": "living_alone", "equals": False},
        },
    )


def public_venue_hygiene_form() -> tuple[dict, dict]:
    return formlib.build(
        {
            # 智能免填: a photo of the 营业执照 offers its name and address (docs/ocr.md)
            "venue_name": {
                "type": "string",
                "title": "场所名称",
                "maxLength": 100,
                "minLength": 2,
                "x-ocr": ["business_licence.name"],
            },
            "venue_address": {
                "type": "string",
                "title": "经营地址",
                "maxLength": 200,
                "minLength": 6,
                "x-ocr": ["business_licence.address"],
            },
            "venue_kind": {
                "type": "string",
                "title": "场所类别",
                "enum": [
                    "宾馆",
                    "理发店",
                    "美容店",
                    "沐浴场所",
                    "游泳场所",
                    "商场（店）",
                    "候车室",
                ],
            },
            "floor_area": {
                "type": "number",
                "title": "经营面积（平方米）",
                "minimum": 1,
                "maximum": 100000,
            },
            "staff_count": {
                "type": "integer",
                "title": "从业人员数",
                "minimum": 1,
                "maximum": 10000,
            },
            "certified_staff": {
                "type": "integer",
                "title": "持健康证明人数",
                "minimum": 0,
                "maximum": 10000,
            },
            "hygiene_manager": {
                "type": "string",
                "title": "卫生管理负责人",
                "maxLength": 30,
                "minLength": 2,
            },
        },
        [
            "venue_name",
            "venue_address",
            "venue_kind",
            "floor_area",
            "staff_count",
            "certified_staff",
            "hygiene_manager",
        ],
        content_title="场所信息",
        content_widgets={"venue_kind": "select"},
    )


def ride_hailing_driver_form() -> tuple[dict, dict]:
    return formlib.build(
        {
            "service_platform": {
                "type": "string",
                "title": "拟从业的网约车平台",
                "maxLength": 60,
                "minLength": 2,
            },
            "contact_address": {
                "type": "string",
                "title": "联系地址",
                "maxLength": 200,
                "minLength": 6,
            },
        },
        ["service_platform", "contact_address"],
        content_title="从业信息",
    )


def lorry_pass_form() -> tuple[dict, dict]:
    return formlib.build(
        {
            "plate_number": {
                "type": "string",
                "title": "号牌号码",
                "maxLength": 10,
                "minLength": 7,
                "description": "例如：豫KH6013",
            },
            "start_date": {"type": "string", "format": "date", "title": "通行起始日期"},
            "end_date": {"type": "string", "format": "date", "title": "通行截止日期"},
            "work_purpose": {
                "type": "string",
                "title": "入市作业内容",
                "maxLength": 200,
                "minLength": 4,
            },
        },
        ["plate_number", "start_date", "end_date", "work_purpose"],
        content_title="车辆与通行期间",
        content_widgets={"start_date": "date", "end_date": "date", "work_purpose": "textarea"},
    )


FORMS = {
    "高龄津贴申领": elderly_allowance_form,
    "公共场所卫生许可": public_venue_hygiene_form,
    "网约车驾驶员从业资格证核发": ride_hailing_driver_form,
    "大货车入市通行证": lorry_pass_form,
}


def load(log) -> None:
    published = 0
    for item in ServiceItem.objects.select_related("basic_item").filter(basic_item__name__in=FORMS):
        if item.forms.filter(status=ApplicationForm.Status.PUBLISHED).exists():
            continue
        schema, layout = FORMS[item.basic_item.name]()
        actions.publish_form(actor=None, service_item=item, schema=schema, layout=layout)
        published += 1
    log(f"申请表单：新发布 {published} 个，共 {ApplicationForm.objects.count()} 个")
