"""Document kinds (证件种类) and their fields.

A kind names the printed labels that introduce each field (with the spellings OCR tends to produce),
how the value is checked, and which words on the document tell this kind from the others. Forms
ask for a field by "<kind>.<field>" (a form property's "x-ocr"), or by the prefill key listed in
`prefill` (e.g. a 营业执照's name offers itself to every field that prefills "enterprise.name").
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from tongban.ocr import validators as v


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str  # what the person sees next to the value
    printed: tuple[str, ...]  # the labels printed on the document, as OCR reads them
    check: Callable[[str], tuple[str, str]]
    occurrence: int = 0  # the n-th time the printed label appears (a 结婚证 has two 姓名)
    prefill: str = ""  # the form prefill key this field can offer itself to
    key: bool = False  # an identifier with a check digit: its errors show, so it is held to more
    # The check that also sees the recogniser's alternatives per character (reading.Found
    # .candidates), used instead of `check` when they are known: (text, candidates) -> as check.
    mend: Callable[[str, list[tuple]], tuple[str, str]] | None = None


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    anchors: tuple[str, ...]  # words only this kind carries; at least one must be read
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)
    # Labels that end the value before them without being a field of their own.
    stop_labels: tuple[str, ...] = ()

    def spec(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)


F = FieldSpec
KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.code] = kind
    return kind


register(
    DocumentKind(
        "id_card_front",
        "居民身份证（人像面）",
        anchors=("公民身份号码", "公民身份号", "身份号码"),
        fields=(
            F(
                "name",
                "姓名",
                ("姓名",),
                v.person_name,
                mend=v.mend_person_name,
                prefill="person.name",
            ),
            F("sex", "性别", ("性别",), v.sex),
            F("ethnicity", "民族", ("民族",), v.ethnicity),
            F("birth_date", "出生日期", ("出生",), v.date),
            F("address", "住址", ("住址",), v.address, prefill="person.address"),
            F(
                "id_number",
                "公民身份号码",
                ("公民身份号码", "公民身份号", "身份号码"),
                v.citizen_id,
                mend=v.citizen_id_mended,
                prefill="person.id_number",
                key=True,
            ),
        ),
    )
)
register(
    DocumentKind(
        "id_card_back",
        "居民身份证（国徽面）",
        anchors=("签发机关", "有效期限"),
        fields=(
            F("issuing_authority", "签发机关", ("签发机关",), v.authority),
            F("valid_until", "有效期至", ("有效期限",), v.validity_until),
        ),
    )
)
register(
    DocumentKind(
        "business_licence",
        "营业执照",
        anchors=("营业执照", "统一社会信用代码", "法定代表人"),
        fields=(
            F("name", "名称", ("名称",), v.organisation_name, prefill="enterprise.name"),
            F(
                "uscc",
                "统一社会信用代码",
                ("统一社会信用代码", "社会信用代码"),
                v.uscc,
                prefill="enterprise.uscc",
                key=True,
            ),
            F("type", "类型", ("类型",), v.text_field),
            F(
                "legal_rep",
                "法定代表人",
                ("法定代表人", "经营者", "负责人"),
                v.person_name,
                mend=v.mend_person_name,
                prefill="enterprise.legal_rep",
            ),
            F("registered_capital", "注册资本", ("注册资本",), v.money),
            F("established_on", "成立日期", ("成立日期",), v.date),
            F("address", "住所", ("住所", "经营场所"), v.address, prefill="enterprise.address"),
            F("business_scope", "经营范围", ("经营范围",), v.long_text),
        ),
        stop_labels=("登记机关", "营业期限", "国家企业信用信息公示系统"),
    )
)
register(
    DocumentKind(
        "household_main",
        "居民户口簿（首页）",
        anchors=("户主姓名", "户别", "户号"),
        fields=(
            F("household_type", "户别", ("户别",), v.text_field),
            F("head_name", "户主姓名", ("户主姓名",), v.person_name, mend=v.mend_person_name),
            F("household_number", "户号", ("户号",), v.region_prefixed_number, key=True),
            F("address", "住址", ("住址",), v.address, prefill="person.address"),
        ),
        stop_labels=("承办人签章", "签发日期", "户口登记机关"),
    )
)
register(
    DocumentKind(
        "household_person",
        "居民户口簿（个人页）",
        anchors=("常住人口登记卡", "与户主关系", "公民身份证件编号"),
        fields=(
            F(
                "name",
                "姓名",
                ("姓名",),
                v.person_name,
                mend=v.mend_person_name,
                prefill="person.name",
            ),
            F("relation", "户主或与户主关系", ("户主或与户主关系", "与户主关系"), v.relation),
            F("sex", "性别", ("性别",), v.sex),
            F("ethnicity", "民族", ("民族",), v.ethnicity),
            F("birth_date", "出生日期", ("出生日期",), v.date),
            F("birthplace", "出生地", ("出生地",), v.address),
            F(
                "id_number",
                "公民身份证件编号",
                ("公民身份证件编号", "身份证件编号"),
                v.citizen_id,
                mend=v.citizen_id_mended,
                prefill="person.id_number",
                key=True,
            ),
        ),
        stop_labels=("籍贯", "登记日期"),
    )
)
register(
    DocumentKind(
        "marriage_certificate",
        "结婚证",
        anchors=("结婚证字号", "结婚证", "登记日期"),
        fields=(
            F("holder", "持证人", ("持证人",), v.person_name, mend=v.mend_person_name),
            F("registered_on", "登记日期", ("登记日期",), v.date),
            F(
                "certificate_number",
                "结婚证字号",
                ("结婚证字号",),
                v.pattern(r"J\d{6}-\d{4}-\d{6}", "结婚证字号格式不正确"),
                key=True,
            ),
            F("party1_name", "男方姓名", ("姓名",), v.person_name, mend=v.mend_person_name),
            F(
                "party1_id_number",
                "男方身份证件号",
                ("身份证件号",),
                v.citizen_id,
                mend=v.citizen_id_mended,
                key=True,
            ),
            F(
                "party2_name",
                "女方姓名",
                ("姓名",),
                v.person_name,
                mend=v.mend_person_name,
                occurrence=1,
            ),
            F(
                "party2_id_number",
                "女方身份证件号",
                ("身份证件号",),
                v.citizen_id,
                mend=v.citizen_id_mended,
                occurrence=1,
                key=True,
            ),
        ),
        stop_labels=("性别", "国籍", "出生日期", "备注"),
    )
)
register(
    DocumentKind(
        "property_certificate",
        "不动产权证书",
        anchors=("不动产权", "不动产单元号", "权利人"),
        fields=(
            F(
                "certificate_number",
                "证书号",
                ("证书号",),
                v.pattern(
                    r".{1,3}[（(]\d{4}[）)].{2,10}不动产权第\d{7}号", "不动产权证书号格式不正确"
                ),
                key=True,
            ),
            F("owner", "权利人", ("权利人",), v.person_name, mend=v.mend_person_name),
            F("location", "坐落", ("坐落",), v.address),
            F("use", "用途", ("用途",), v.text_field),
            F("area", "面积（平方米）", ("面积",), v.area),
        ),
        stop_labels=(
            "共有情况",
            "不动产单元号",
            "权利类型",
            "权利性质",
            "使用期限",
            "权利其他状况",
        ),
    )
)


def choices() -> list[tuple[str, str]]:
    return [(kind.code, gettext_lazy(kind.label)) for kind in KINDS.values()]


def get(code: str) -> DocumentKind | None:
    return KINDS.get(code)


# A material that an e-licence of this type can replace is, on paper, that document: its upload is
# read as this kind unless the catalogue says otherwise.
BY_LICENCE_TYPE = {
    "居民身份证": "id_card_front",
    "营业执照": "business_licence",
    "居民户口簿": "household_main",
    "结婚证": "marriage_certificate",
    "不动产权证书": "property_certificate",
}


def for_licence_type(licence_type: str) -> str:
    return BY_LICENCE_TYPE.get(licence_type, "")
