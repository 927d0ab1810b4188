"""Label parsing and value checks, on text (no OCR)."""

import pytest

from tongban.core import testdata
from tongban.ocr import kinds, reading, validators
from tongban.ocr.recognise import _checked

ID = testdata.citizen_id("411002", sequence=3)
USCC = testdata.credit_code("91", "411000", 42)


def _stream(text: str, score: float = 0.99) -> reading.Stream:
    return reading.stream_of_text(text, score)


def test_labels_take_the_text_up_to_the_next_label_across_lines():
    text = (
        "营业执照\n统一社会信用代码 " + USCC + "\n名称 许昌示例宾馆有限公司\n类型 有限责任公司\n"
        "法定代表人 王小明\n住所 河南省许昌市魏都区\n文峰路1号\n"
        "经营范围 住宿服务；名称、类型不限的会议服务\n登记机关 许昌市市场监督管理局"
    )
    fields = _checked(kinds.get("business_licence"), _stream(text))
    assert fields["name"].value == "许昌示例宾馆有限公司"
    assert fields["address"].value == "河南省许昌市魏都区文峰路1号"  # a wrapped line joins
    assert fields["business_scope"].value == "住宿服务；名称、类型不限的会议服务"
    assert fields["uscc"].value == USCC
    assert fields["registered_capital"].problem.startswith("材料上没有找到此项")


def test_an_identifier_with_a_wrong_check_digit_is_not_offered():
    wrong = ID[:-1] + ("0" if ID[-1] != "0" else "1")
    fields = _checked(kinds.get("id_card_front"), _stream(f"姓名 王小明\n公民身份号码 {wrong}"))
    assert fields["id_number"].value == ""
    assert "最后一位不对" in fields["id_number"].problem


def test_low_confidence_leaves_the_field_empty_with_the_reason():
    fields = _checked(kinds.get("id_card_front"), _stream(f"姓名 王小明\n公民身份号码 {ID}", 0.6))
    assert fields["name"].value == "" and "识别把握不足（60%）" in fields["name"].problem


def test_birth_date_and_sex_must_agree_with_the_id_number():
    text = f"姓名 王小明\n性别 女 民族 汉\n出生 1999年1月1日\n公民身份号码 {ID}"
    fields = _checked(kinds.get("id_card_front"), _stream(text))
    assert fields["birth_date"].problem == "出生日期与身份证号码不一致"
    assert fields["sex"].problem == "性别与身份证号码不一致"  # sequence 3 of a man: odd digit
    assert fields["ethnicity"].value == "汉"


def test_repeated_labels_fill_their_own_fields():
    man, woman = testdata.citizen_id(sequence=5), testdata.citizen_id(sequence=6, male=False)
    text = (
        "结婚证\n持证人 李华\n登记日期 2020年5月20日\n结婚证字号 J411002-2020-000123\n"
        f"姓名 李华 性别 男\n身份证件号 {man}\n姓名 周敏 性别 女\n身份证件号 {woman}"
    )
    fields = _checked(kinds.get("marriage_certificate"), _stream(text))
    assert [fields[n].value for n in ("party1_name", "party2_name")] == ["李华", "周敏"]
    assert [fields[n].value for n in ("party1_id_number", "party2_id_number")] == [man, woman]
    assert fields["registered_on"].value == "2020-05-20"


@pytest.mark.parametrize(
    ("check", "raw", "expected"),
    [
        (validators.date, "2021年2月30日", ("", "不是有效日期")),
        (validators.date, "2021.02.03", ("2021-02-03", "")),
        (validators.validity_until, "2015.03.01-长期", ("长期", "")),
        (validators.validity_until, "2015.03.01-2035.03.01", ("2035-03-01", "")),
        (validators.ethnicity, "蒙古族", ("蒙古", "")),
        (validators.ethnicity, "火星", ("", "不是已知的民族名称")),
        (
            validators.uscc,
            USCC[:-1] + "0",
            ("", "统一社会信用代码未通过校验：统一社会信用代码最后一位不对，请核对"),
        ),
        (
            validators.region_prefixed_number,
            "999999123456",
            ("", "户号应为以行政区划代码开头的数字"),
        ),
        (validators.area, "房屋建筑面积98.50㎡", ("98.50", "")),
        (validators.uscc, f"马{USCC}", (USCC, "")),  # a stray glyph of the label before it
        (validators.citizen_id, f"{ID}1", (ID, "")),  # a speck after it
        (
            validators.citizen_id,
            ID[:10],
            ("", "身份证号码未通过校验：身份证号码应为18位，当前为10位"),
        ),
        (validators.person_name, "王", ("", "姓名应为2至6个汉字")),
    ],
)
def test_value_checks(check, raw, expected):
    assert check(raw) == expected


def test_kind_detection_prefers_the_best_covered_kind():
    stream = _stream("营业执照\n统一社会信用代码 x\n法定代表人 y")
    assert reading.detect(kinds.KINDS.values(), stream)[0] == "business_licence"


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("河南省许昌市陵县光明路267号", ("河南省许昌市鄢陵县光明路267号", "")),  # 鄢 dropped
        ("河南省许昌市郡陵县莲城路8号", ("河南省许昌市鄢陵县莲城路8号", "")),  # 鄢 misread
        ("河南省许昌市魏都区文峰路1号", ("河南省许昌市魏都区文峰路1号", "")),
        ("河南省许昌市火星县文峰路1号", ("", "“许昌市火星县”不是已知的县（市、区）")),
    ],
)
def test_the_county_of_an_address_must_exist_and_a_dropped_character_is_mended(read, expected):
    assert validators.address(read) == expected


def test_the_issuing_authority_names_a_real_county():
    assert validators.authority("许昌市公安局陵县分局") == ("许昌市公安局鄢陵县分局", "")
    assert validators.authority("许昌市公安局魏都分局") == ("许昌市公安局魏都分局", "")
