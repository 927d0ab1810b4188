from django.utils import translation

from tongban.catalog import codes
from tongban.core import testdata


def test_basic_code_rules():
    assert codes.basic_code_problem("050401001000") == ""
    assert codes.basic_code_problem("0504010010") == "基本编码应为12位，当前为10位"
    assert codes.basic_code_problem("05040100100a") == "基本编码只能包含数字和大写字母"
    assert codes.basic_code_problem("") == "请填写基本编码"


def test_implementation_and_handling_codes():
    uscc = testdata.credit_code("11", "411000", 1)
    code = codes.implementation_code(uscc, 3, "050401001000")
    assert len(code) == 31 and code.startswith(uscc) and code[18] == "3"
    assert codes.implementation_code_problem(code) == ""
    assert codes.handling_code_problem(code + "01") == ""
    assert codes.handling_code_problem(code + "00") == "业务办理项编码最后2位应为01至99"
    assert "最后一位不对" in codes.implementation_code_problem(
        uscc[:-1] + ("0" if uscc[-1] != "0" else "1") + code[18:]
    )
    assert (
        codes.implementation_code_problem(uscc + "8" + "050401001000")
        == "实施编码第19位应为行使层级代码（1至7）"
    )
    assert codes.implementation_code_problem(code[:30]) == "实施编码应为31位，当前为30位"


def test_code_problems_are_told_in_english_to_an_english_reader():
    uscc = testdata.credit_code("11", "411000", 1)
    with translation.override("en"):
        assert codes.basic_code_problem("") == "Please enter the basic code"
        assert (
            codes.basic_code_problem("0504010010")
            == "The basic code must have 12 characters; it has 10"
        )
        assert codes.implementation_code_problem(uscc + "3" + "05040100100a") == (
            "The last 12 characters of the implementation code: "
            "The basic code may contain only digits and capital letters"
        )
        assert codes.handling_code_problem(uscc + "3" + "050401001000" + "00") == (
            "The last 2 digits of the handling item code must be 01 to 99"
        )
    # Chinese stays the default.
    assert codes.basic_code_problem("0504010010") == "基本编码应为12位，当前为10位"
