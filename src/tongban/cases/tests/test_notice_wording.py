"""The documents' wording names the applicant — a person or an enterprise — never "你（单位）"."""

import datetime

import pytest

from tongban.cases import notices


@pytest.mark.parametrize("name", ["张示例", "许昌示例餐饮管理有限公司"])
def test_notices_address_the_applicant_by_name(name):
    texts = [
        notices.acceptance_basis(deemed=False, deferred=False, applicant=name),
        notices.acceptance_basis(deemed=False, deferred=True, applicant=name),
        *(
            text
            for _heading, text in notices.correction_sections(
                ["身份证复印件不清晰"], datetime.date(2026, 12, 18), name
            )
        ),
    ]
    assert texts[0] == f"{name}的申请材料齐全、符合法定形式，决定予以受理。"
    assert texts[1].startswith(f"{name}的主要申请材料齐全")
    assert texts[2].startswith(f"{name}提交的申请材料不齐全")
    assert not any("你（单位）" in text for text in texts)


def test_a_missing_name_reads_as_the_applicant():
    basis = notices.acceptance_basis(deemed=False, deferred=False, applicant=" ")
    assert basis.startswith("申请人的申请材料齐全")
