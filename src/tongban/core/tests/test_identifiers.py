import datetime

import pytest

from tongban.core import identifiers, testdata


def test_valid_citizen_id_reports_region_birth_and_gender():
    number = testdata.citizen_id("411002", datetime.date(1942, 8, 15), sequence=5, male=False)
    result = identifiers.check_citizen_id(number)
    assert result.valid
    assert result.details == {"region_code": "411002", "birth_date": "1942-08-15", "gender": "女"}


def test_person_born_before_their_county_code_existed_is_accepted():
    # 魏都区 has had code 411002 since 1986; older people were issued numbers with it.
    assert identifiers.check_citizen_id(
        testdata.citizen_id("411002", datetime.date(1931, 1, 1))
    ).valid


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda n: n[:-1] + ("0" if n[-1] != "0" else "1"), "身份证号码最后一位不对，请核对"),
        (lambda n: n[:10] + "1332" + n[14:], "出生日期无效"),
        (lambda n: "419999" + n[6:], "行政区划代码不存在"),
        (lambda n: n[:17], "身份证号码应为18位，当前为17位"),
        (lambda n: n[:5] + "A" + n[6:], "身份证号码只能包含数字，最后一位可以是X"),
        (lambda n: "", "请输入身份证号码"),
    ],
)
def test_citizen_id_errors_say_exactly_what_is_wrong(mutate, reason):
    result = identifiers.check_citizen_id(mutate(testdata.citizen_id()))
    assert not result.valid
    assert result.reason == reason


def test_birth_date_in_the_future_is_invalid():
    number = testdata.citizen_id(birth=datetime.date(2030, 1, 1))
    assert (
        identifiers.check_citizen_id(number, today=datetime.date(2026, 11, 21)).reason
        == "出生日期无效"
    )


def test_uscc_valid_and_errors():
    code = testdata.credit_code("91", "411002", 7)
    result = identifiers.check_uscc(code)
    assert result.valid and result.details["registrar"] == "工商"
    wrong_check = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert identifiers.check_uscc(wrong_check).reason == "统一社会信用代码最后一位不对，请核对"
    assert identifiers.check_uscc(code[:-1] + "I").reason.startswith(
        "统一社会信用代码不能包含字符 I"
    )
    assert identifiers.check_uscc("9141").reason == "统一社会信用代码应为18位，当前为4位"


@pytest.mark.django_db
def test_region_code_must_exist_in_the_platform_tree(region_city):
    assert identifiers.check_region_code("411002").details["full_name"] == "河南省许昌市魏都区"
    assert identifiers.check_region_code("411099").reason == "行政区划代码不存在"
    assert identifiers.check_region_code("4110").reason.startswith("行政区划代码应为6位")
    assert identifiers.check_region_code("41100200100X").reason == "行政区划代码只能是数字"


def test_region_level_and_parent_from_code():
    assert identifiers.region_level_and_parent("410000") == (1, "")
    assert identifiers.region_level_and_parent("411000") == (2, "410000")
    assert identifiers.region_level_and_parent("411002") == (3, "411000")
    assert identifiers.region_level_and_parent("411002001000") == (4, "411002")
    assert identifiers.region_level_and_parent("411002001002") == (5, "411002001000")


def test_reasons_are_in_the_language_of_the_page():
    """A form or the API in English says what is wrong in English; Chinese is the default."""
    from django.utils import translation

    good = testdata.citizen_id(sequence=3)
    wrong_digit = good[:-1] + ("0" if good[-1] != "0" else "1")
    with translation.override("en"):
        assert (
            identifiers.check_citizen_id(wrong_digit).reason
            == "The last digit of the ID number is wrong; please check"
        )
        assert (
            identifiers.check_citizen_id("4110").reason
            == "An ID card number has 18 characters; this one has 4"
        )
        assert identifiers.check_uscc("").reason == "Enter the unified social credit code"
    assert identifiers.check_citizen_id(wrong_digit).reason == "身份证号码最后一位不对，请核对"
