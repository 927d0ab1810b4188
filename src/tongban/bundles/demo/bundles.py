"""The two demo 一件事, one named constant each, their members named by the keys of `items.CODES`:
新生儿出生一件事 (citizen) and 开办餐饮店一件事 (enterprise). Made in `BUNDLES` order."""

from dataclasses import dataclass

from tongban.bundles.actions import types
from tongban.bundles.demo.items import CODES, item
from tongban.bundles.models import Bundle
from tongban.core import demo as core_demo

# The answers to a member's own situation questions when it is applied for within the bundle.
BIRTH_QUESTION = {"您要办理哪种业务?": "新生儿首次办理"}
FOOD_QUESTION = {"您要办理哪种业务?": "新开店铺（新设）"}
VENUE_QUESTION = {"您要办理哪种业务?": "首次申请（新设）"}


@dataclass(frozen=True)
class Member:
    key: str  # of items.CODES
    required: bool = True
    prerequisite: str = ""  # the key of the member that must be done first
    situation_answers: dict | None = None


@dataclass(frozen=True)
class DemoBundle:
    code: str
    name: str
    theme: str
    lead_department: str  # a core demo department key
    description: str
    members: list[Member]
    questions: list[tuple[str, list[tuple[str, list[str]]]]]  # (text, [(option, member keys)])


NEWBORN = DemoBundle(
    "newborn",
    "新生儿出生一件事",
    "person",
    "wj",
    "新生儿出生后，出生医学证明、户口登记、医保参保和社保卡一次申请，各部门联动办理。",
    [
        Member("birth_cert", True, "", BIRTH_QUESTION),
        Member("birth_registration", True, "birth_cert"),
        Member("resident_insurance", True, "birth_cert"),
        Member("social_card", False, "resident_insurance"),
    ],
    [
        (
            "是否同时为新生儿申领社会保障卡?",
            [("是，一并申领", ["social_card"]), ("否，暂不申领", [])],
        )
    ],
)

RESTAURANT = DemoBundle(
    "restaurant",
    "开办餐饮店一件事",
    "enterprise",
    "sj",
    "企业开设餐饮门店：经营范围变更、食品经营许可，以及按需办理的公共场所卫生许可和户外招牌设置，一次申请。",
    [
        Member("enterprise_change", True),
        Member("food_licence", True, "enterprise_change", FOOD_QUESTION),
        Member("venue_hygiene", False, "", VENUE_QUESTION),
        Member("outdoor_sign", False),
    ],
    [
        (
            "门店是否同时经营住宿、沐浴、美容美发等公共场所?",
            [("是", ["venue_hygiene"]), ("否", [])],
        ),
        ("是否在门店外设置户外招牌?", [("是", ["outdoor_sign"]), ("否", [])]),
    ],
)

BUNDLES = [NEWBORN, RESTAURANT]


def ensure_bundles(admin) -> None:
    code = {key: item(key).implementation_code for key in CODES}
    for bundle in BUNDLES:
        if Bundle.objects.filter(code=bundle.code).exists():
            continue
        version = types.create_bundle(
            actor=None,
            code=bundle.code,
            name=bundle.name,
            theme=bundle.theme,
            lead_department=core_demo.department(bundle.lead_department),
            description=bundle.description,
        )
        members = [
            types.MemberSpec(
                code[member.key],
                member.required,
                code[member.prerequisite] if member.prerequisite else "",
                member.situation_answers or {},
            )
            for member in bundle.members
        ]
        questions = [
            types.QuestionSpec(
                text, [(option, [code[k] for k in keys]) for option, keys in options]
            )
            for text, options in bundle.questions
        ]
        types.set_structure(actor=None, version=version, members=members, questions=questions)
        types.publish(actor=admin, version=version)
