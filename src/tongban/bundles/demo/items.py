"""The catalogue side of the demo 一件事: the members' items (`CODES`, by key), the three items the
demo catalogue lacks (made in `NEW_ITEMS` order), and the members that are made online for the
bundles."""

from tongban.catalog import actions as catalog
from tongban.catalog import demo as catalog_demo
from tongban.catalog.actions import MaterialSpec as M
from tongban.catalog.models import ServiceItem
from tongban.core import demo as core_demo

CODES = {
    "birth_cert": ("200601004000", "wj"),
    "birth_registration": ("070501031000", "ga"),
    "resident_insurance": ("200101031000", "yb"),
    "social_card": ("200201020000", "rs"),
    "enterprise_change": ("070301031000", "sj"),
    "food_licence": ("010301002000", "sj"),
    "venue_hygiene": ("010601001000", "wj"),
    "outdoor_sign": ("010801008000", "cg"),
}

BIRTH_REGISTRATION = catalog_demo._item(
    "070501031000",
    "出生登记",
    "07",
    "《中华人民共和国户口登记条例》第七条",
    ["ga"],
    objects="1",
    person_themes="birth,household",
    exercise_content="婴儿出生后一个月以内申报出生登记",
    keywords="新生儿落户 上户口 出生落户",
    legal_limit=None,
    legal_limit_note="法律法规未规定办结时限",
    promised_limit=3,
    handling_type="2",
    max_visits=1,
    acceptance_conditions="婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报。",
    process="申请\n受理\n审核\n登记",
    result_name="出生登记",
    is_online=True,
    online_url=catalog_demo.ONLINE_URL,
    handling_forms="1,2",
    structure=dict(
        handling=[],
        questions=[],
        materials=[
            M("出生医学证明", "助产机构", 1, 0, replaceable_by_licence_type="出生医学证明"),
            M("父母双方居民户口簿", "公安机关", 1, 0, replaceable_by_licence_type="居民户口簿"),
        ],
    ),
)


RESIDENT_INSURANCE = catalog_demo._item(
    "200101031000",
    "城乡居民基本医疗保险参保登记",
    "20",
    "《中华人民共和国社会保险法》第二十五条",
    ["yb"],
    objects="1",
    person_themes="birth,medical",
    exercise_content="城乡居民（含新生儿）参加基本医疗保险的登记",
    keywords="新生儿医保 居民医保 参保",
    legal_limit=None,
    legal_limit_note="法律法规未规定办结时限",
    promised_limit=2,
    handling_type="2",
    max_visits=1,
    acceptance_conditions="本市户籍或居住证持有人中未参加职工基本医疗保险的城乡居民。",
    process="申请\n受理\n审核\n登记",
    result_name="参保登记",
    is_online=True,
    online_url=catalog_demo.ONLINE_URL,
    handling_forms="1,2",
    structure=dict(
        handling=[],
        questions=[],
        materials=[M("出生医学证明", "助产机构", 1, 0, replaceable_by_licence_type="出生医学证明")],
    ),
)


ENTERPRISE_CHANGE = catalog_demo._item(
    "070301031000",
    "企业变更登记",
    "07",
    "《中华人民共和国市场主体登记管理条例》第二十四条",
    ["sj"],
    objects="2",
    enterprise_themes="start",
    exercise_content="企业名称、住所、经营范围等登记事项的变更登记",
    keywords="营业执照变更 经营范围变更 增加经营范围",
    legal_limit=None,
    legal_limit_note="法律法规未规定办结时限",
    promised_limit=1,
    handling_type="2",
    max_visits=0,
    acceptance_conditions="登记事项发生变更的企业，自作出变更决议、决定或者法定变更事项发生之日起30日内申请。",
    process="申请\n受理\n审核\n核准\n换发营业执照",
    result_name="营业执照",
    is_online=True,
    online_url=catalog_demo.ONLINE_URL,
    handling_forms="1,2",
    structure=dict(
        handling=[("01", "企业变更登记（经营范围变更）", "")],
        questions=[],
        materials=[
            M("企业变更登记申请书", "市场监督管理部门", 1, 0),
            M("变更经营范围的股东会决议", "申请人", 1, 0),
        ],
    ),
)

NEW_ITEMS = [BIRTH_REGISTRATION, RESIDENT_INSURANCE, ENTERPRISE_CHANGE]

# The members that were not online in the demo catalogue are, for the bundle.
MAKE_ONLINE = ["birth_cert", "social_card", "venue_hygiene", "outdoor_sign"]


def item(key: str) -> ServiceItem:
    code, dept = CODES[key]
    return ServiceItem.objects.select_related("current_version").get(
        basic_item__basic_code=code, department=core_demo.department(dept)
    )


def ensure_items(admin) -> None:
    catalog_demo.ensure_items(NEW_ITEMS, admin=admin)
    for key in MAKE_ONLINE:
        member = item(key)
        if member.current_version.is_online:
            continue
        draft = catalog.new_draft(
            actor=admin, item=member, change_note="纳入“一件事”，开通网上办理"
        )
        catalog.update_draft(
            actor=admin,
            version=draft,
            elements={"is_online": True, "online_url": catalog_demo.ONLINE_URL},
        )
        catalog.publish(actor=admin, version=draft)
