"""Generators of obviously fictional but valid identifiers, for demo data and tests.

Names come from a fixed list of plainly made-up ones; ID numbers and USCCs carry correct check
characters so every validator accepts them; phones use the 170 virtual-operator block.
"""

import datetime

from stdnum.cn import ric, uscc


def citizen_id(
    region: str = "411002",
    birth: datetime.date = datetime.date(1950, 3, 1),
    sequence: int = 1,
    male: bool = True,
) -> str:
    seq = sequence * 2 + (1 if male else 0)  # odd 17th digit = male (GB 11643)
    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def credit_code(prefix: str = "91", region: str = "411000", serial: int = 1) -> str:
    """A USCC: registrar+category prefix, region, a 9-char organisation code, check char."""
    body = f"{prefix}{region}MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


def phone(serial: int) -> str:
    """17000000001, 17000000002 …; serials up to 99,999,999 stay in the 170 block."""
    return f"170{serial:08d}"
