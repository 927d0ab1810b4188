"""The e-licence identifier of GB/T 36904-2018 and its ISO/IEC 7064 MOD 37,36 check character.

`1.2.156.3005.2.<证照类型代码>.<颁发机构代码>.<流水号>.<版本号>.<校验位>`:
类型代码 = the defining authority's USCC (18) + 3 digits; 颁发机构代码 = the issuer's USCC (18);
流水号 = digits and capital letters (the platform writes 10 digits); 版本号 = 3 digits;
校验位 = MOD 37,36 over the segments after the OID root, concatenated without dots.
"""

import re

from django.utils.translation import gettext_lazy

OID_ROOT = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
USCC_CHARS = "0-9ABCDEFGHJKLMNPQRTUWXY"
TYPE_CODE_RE = re.compile(rf"^[{USCC_CHARS}]{{18}}[0-9]{{3}}$")
USCC_RE = re.compile(rf"^[{USCC_CHARS}]{{18}}$")
SERIAL_RE = re.compile(r"^[0-9A-Z]{1,32}$")
IDENTIFIER_RE = re.compile(
    r"^" + re.escape(OID_ROOT) + rf"\.([{USCC_CHARS}]{{18}}[0-9]{{3}})\.([{USCC_CHARS}]{{18}})"
    r"\.([0-9A-Z]{1,32})\.([0-9]{3})\.([0-9A-Z])$"
)

FORMAT_ERROR = gettext_lazy("格式不正确")
CHECK_ERROR = gettext_lazy("校验位错误")


def check_character(segments: str) -> str:
    """ISO/IEC 7064 MOD 37,36 (hybrid system, M = 36): p = 36; for each character v:
    s = (p + v) mod 36, 0 counts as 36; p = 2s mod 37. Check value = (37 − p) mod 36."""
    p = 36
    for char in segments.upper():
        value = ALPHABET.find(char)
        if value < 0:
            raise ValueError(f"校验位只能按数字和大写字母计算，不能包含“{char}”")
        s = (p + value) % 36 or 36
        p = (2 * s) % 37
    return ALPHABET[(37 - p) % 36]


def build(type_code: str, issuer_uscc: str, serial: str | int, version: int) -> str:
    serial = f"{serial:010d}" if isinstance(serial, int) else str(serial).upper()
    if not TYPE_CODE_RE.match(type_code or ""):
        raise ValueError("证照类型代码应为 18 位统一社会信用代码加 3 位数字")
    if not USCC_RE.match(issuer_uscc or ""):
        raise ValueError("颁发机构代码应为 18 位统一社会信用代码")
    if not SERIAL_RE.match(serial):
        raise ValueError("流水号只能由数字和大写字母组成，最长 32 位")
    if not 0 < int(version) < 1000:
        raise ValueError("版本号应在 1–999 之间")
    body = f"{type_code}{issuer_uscc}{serial}{int(version):03d}"
    return (
        f"{OID_ROOT}.{type_code}.{issuer_uscc}.{serial}.{int(version):03d}.{check_character(body)}"
    )


def normalise(identifier: str) -> str:
    return "".join(str(identifier or "").split()).upper()


def check(identifier: str) -> tuple[bool, str]:
    """(True, "") for a well-formed identifier with the right check character, else (False, 理由)."""
    match = IDENTIFIER_RE.match(normalise(identifier)) if len(str(identifier or "")) < 200 else None
    if match is None:
        return False, str(FORMAT_ERROR)
    *parts, given = match.groups()
    if check_character("".join(parts)) != given:
        return False, str(CHECK_ERROR)
    return True, ""


def parts(identifier: str) -> dict:
    """The segments of a well-formed identifier (no check of the check character)."""
    match = IDENTIFIER_RE.match(normalise(identifier))
    if match is None:
        return {}
    type_code, issuer, serial, version, check_char = match.groups()
    return {
        "type_code": type_code,
        "issuer": issuer,
        "serial": serial,
        "version": int(version),
        "check": check_char,
    }
