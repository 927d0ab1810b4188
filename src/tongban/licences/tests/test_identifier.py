"""GB/T 36904 identifier with the ISO/IEC 7064 MOD 37,36 check character."""

import random
import string

import pytest

from tongban.licences import identifier

TYPE = "11411000MA0000001X001"  # any 18 USCC characters + 3 digits (format only)
ISSUER = "11411000MA0000001X"


def test_hand_computed_check_characters():
    # "A1": p = 36.
    #   'A' = 10: s = (36 + 10) mod 36 = 10;      p = 2·10 mod 37 = 20
    #   '1' = 1:  s = (20 + 1) mod 36 = 21;       p = 2·21 mod 37 = 42 − 37 = 5
    #   check = (37 − 5) mod 36 = 32 → 'W' (A=10 … W=32)
    # Proof: appending 'W' gives s = (5 + 32) mod 36 = 1, the MOD 37,36 acceptance condition.
    assert identifier.check_character("A1") == "W"
    # "0": s = (36 + 0) mod 36 = 0 → counts as 36; p = 72 mod 37 = 35; check = (37 − 35) mod 36 = 2
    assert identifier.check_character("0") == "2"
    # "Z": s = (36 + 35) mod 36 = 35; p = 70 mod 37 = 33; check = (37 − 33) mod 36 = 4
    assert identifier.check_character("Z") == "4"


def _accepts(text: str) -> bool:
    """The standard's own acceptance test: run the recursion over data + check; s ends at 1."""
    p, s = 36, None
    for char in text:
        s = (p + identifier.ALPHABET.index(char)) % 36 or 36
        p = (2 * s) % 37
    return s == 1


def test_check_character_satisfies_the_standard():
    chars = string.digits + string.ascii_uppercase
    rng = random.Random(36904)
    for _ in range(2000):
        data = "".join(rng.choice(chars) for _ in range(rng.randint(1, 60)))
        check = identifier.check_character(data)
        assert _accepts(data + check)
        assert sum(_accepts(data + other) for other in chars) == 1  # exactly one check value


def test_build_and_check():
    built = identifier.build(TYPE, ISSUER, 1, 1)
    assert built.startswith(f"1.2.156.3005.2.{TYPE}.{ISSUER}.0000000001.001.")
    assert built[-1] == identifier.check_character(f"{TYPE}{ISSUER}0000000001001")
    assert identifier.check(built) == (True, "")
    assert identifier.check(built.lower()) == (True, "")
    wrong = built[:-1] + ("0" if built[-1] != "0" else "1")
    assert identifier.check(wrong) == (False, "校验位错误")
    for bad in ("", "abc", "1.2.156.3005.2." + TYPE, built + ".X", built.replace(".001.", ".1.")):
        assert identifier.check(bad) == (False, "格式不正确")
    assert identifier.check("1" * 5000) == (False, "格式不正确")


def test_every_single_character_change_is_detected():
    built = identifier.build(TYPE, ISSUER, 123, 2)
    alphabet = string.digits + string.ascii_uppercase + "."
    changed = 0
    for position, original in enumerate(built):
        for replacement in alphabet:
            if replacement == original:
                continue
            mutated = built[:position] + replacement + built[position + 1 :]
            ok, reason = identifier.check(mutated)
            assert not ok, (position, replacement)
            assert reason in ("格式不正确", "校验位错误")
            changed += 1
    assert changed > 2000


def test_build_rejects_bad_segments():
    with pytest.raises(ValueError):
        identifier.build("123", ISSUER, 1, 1)
    with pytest.raises(ValueError):
        identifier.build(TYPE, ISSUER, 1, 1000)
    with pytest.raises(ValueError):
        identifier.check_character("A-1")


def test_licence_qr_code_opens_the_licence_verification_page():
    from tongban.licences.actions import verification_page_url

    url = verification_page_url("1.2.156.3005.2.X.Y.1.001.Z")
    assert url.endswith("/licences/verify/?identifier=1.2.156.3005.2.X.Y.1.001.Z")
