"""证件类型 codes are one enumeration (core.identifiers.IdType), and a holder or subject is found by
one blind-index rule: a person's credit record and licences are found under the same index, an
enterprise's under its USCC's."""

import pytest

from tongban.core import pii, testdata
from tongban.core.identifiers import ID_TYPES, IdType, id_blind_index
from tongban.credit.models import CreditRecord
from tongban.licences.models import Licence


def test_the_codes_and_their_labels():
    assert ID_TYPES == ("111", "001")
    assert IdType("111").label == "公民身份号码"
    assert IdType("001").label == "统一社会信用代码"


@pytest.mark.parametrize(
    ("id_type", "number", "kind"),
    [
        (IdType.CITIZEN_ID, testdata.citizen_id(sequence=3), "citizen_id"),
        (IdType.USCC, testdata.credit_code("91", "411002", 5), "uscc"),
    ],
)
def test_one_blind_index_rule_for_every_ledger(id_type, number, kind):
    expected = pii.blind_index(number, kind)
    assert id_blind_index(id_type, number) == expected
    assert id_blind_index(str(id_type), number.lower()) == expected  # as typed
    assert CreditRecord.index_for(id_type, number) == expected
    assert Licence.index_for(id_type, number) == expected


def test_a_citizen_and_an_enterprise_never_share_an_index():
    number = testdata.citizen_id(sequence=3)
    assert id_blind_index(IdType.CITIZEN_ID, number) != id_blind_index(IdType.USCC, number)


def test_the_citizen_id_code_is_written_only_in_the_enumeration():
    """ "111" is 居民身份证 only through IdType.CITIZEN_ID outside tests and migrations ("001" also
    serves as a licence-type suffix and a region code, so only "111" can be checked this way)."""
    import ast
    import pathlib

    src = pathlib.Path(__file__).resolve().parents[2]
    literal = []
    for path in sorted(src.rglob("*.py")):
        parts = path.relative_to(src).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if parts == ("core", "identifiers.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value == IdType.CITIZEN_ID.value:
                literal.append(f"{path.relative_to(src)}:{node.lineno}")
    assert literal == []
