"""Personal data at rest: AES-GCM encryption with rotating keys, a keyed blind index, and masking.

Stored form: "<key id>:<base64url(nonce || ciphertext+tag)>". TONGBAN_PII_KEYS lists "id:key" pairs,
the first being the key new values are written with; older keys stay listed until `tongban pii rotate`
has re-encrypted everything. The blind index (HMAC-SHA256 with its own key) lets us find a person by
ID number or phone without decrypting every row.
"""

import base64
import hmac
import os
import re
from functools import lru_cache

import polars as pl
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class PersonalDataError(Exception):
    """A stored value cannot be decrypted (unknown key id or tampered ciphertext)."""


def _decode_key(raw: str) -> bytes:
    key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    if len(key) != 32:
        raise ImproperlyConfigured(
            "个人信息加密密钥必须是 32 字节 (PII keys must be 32 bytes, base64)"
        )
    return key


@lru_cache(maxsize=4)
def _keyring(spec: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    current = ""
    for part in spec.split(","):
        key_id, _, raw = part.strip().partition(":")
        if not key_id or not raw:
            raise ImproperlyConfigured("TONGBAN_PII_KEYS 格式应为 id:base64key[,id:base64key…]")
        keys[key_id] = AESGCM(_decode_key(raw))
        current = current or key_id
    return current, keys


def current_key_id() -> str:
    return _keyring(settings.PII_KEYS)[0]


def encrypt(plaintext: str) -> str:
    key_id, keys = _keyring(settings.PII_KEYS)
    nonce = os.urandom(12)
    sealed = keys[key_id].encrypt(nonce, plaintext.encode(), key_id.encode())
    return f"{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def encrypt_many(plaintexts) -> list[str]:
    """`encrypt` for many values at once (bulk loads): the key is looked up once, each value still
    gets its own nonce. The text handling around the cipher (UTF-8, base64url, the key id prefix)
    is done column-wise by polars: at bulk sizes it cost more than the encryption itself."""
    key_id, keys = _keyring(settings.PII_KEYS)
    encrypt_one, aad = keys[key_id].encrypt, key_id.encode()
    plaintexts = pl.Series(list(plaintexts), dtype=pl.String).cast(pl.Binary).to_list()
    # The nonces come from one read of the system's random source: as random as one read each.
    nonces = os.urandom(12 * len(plaintexts))
    bodies = [
        nonces[12 * n : 12 * n + 12] + encrypt_one(nonces[12 * n : 12 * n + 12], plaintext, aad)
        for n, plaintext in enumerate(plaintexts)
    ]
    encoded = pl.Series(bodies, dtype=pl.Binary).bin.encode("base64")
    # standard base64 → base64url: the same as urlsafe_b64encode, padding included
    urlsafe = encoded.str.replace_all("+", "-", literal=True).str.replace_all(
        "/", "_", literal=True
    )
    return (f"{key_id}:" + urlsafe).to_list()


def decrypt(stored: str) -> str:
    key_id, _, body = stored.partition(":")
    keys = _keyring(settings.PII_KEYS)[1]
    if key_id not in keys:
        raise PersonalDataError(f"unknown PII key id {key_id!r}")
    raw = base64.urlsafe_b64decode(body)
    try:
        return keys[key_id].decrypt(raw[:12], raw[12:], key_id.encode()).decode()
    except Exception as exc:  # InvalidTag: wrong key or altered ciphertext
        raise PersonalDataError("personal data failed authentication") from exc


def key_id_of(stored: str) -> str:
    return stored.partition(":")[0]


def blind_index(value: str, kind: str) -> str:
    """Keyed hash for look-ups; `kind` keeps an ID number and a phone with equal digits apart."""
    key = _decode_key(settings.PII_INDEX_KEY)
    return hmac.digest(key, f"{kind}:{normalise(value)}".encode(), "sha256").hex()


def blind_indexes(values, kind: str) -> list[str]:
    """`blind_index` for many values at once (bulk loads): the key is decoded once, and the text
    around the HMAC (normalising, the kind prefix, hex) is done column-wise by polars."""
    key = _decode_key(settings.PII_INDEX_KEY)
    values = pl.Series(list(values), dtype=pl.String).fill_null("")
    if values.str.contains(r"[^0-9A-Za-z]").any():  # separators to drop: normalise() decides
        values = pl.Series([normalise(value) for value in values.to_list()], dtype=pl.String)
    else:
        values = values.str.to_uppercase()
    messages = (f"{kind}:" + values).cast(pl.Binary).to_list()
    digest = hmac.digest
    macs = [digest(key, message, "sha256") for message in messages]
    return pl.Series(macs, dtype=pl.Binary).bin.encode("hex").to_list()


_SEPARATORS = re.compile(r"[\s-]")


def normalise(value: str) -> str:
    return _SEPARATORS.sub("", value or "").upper()


def mask_id_number(value: str) -> str:
    """110105194912310021 → 110105********0021: region visible, birth date and sequence hidden."""
    value = normalise(value)
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812341234 → 138****1234."""
    value = normalise(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_bank_account(value: str) -> str:
    """6222021234567890123 → 6222***********0123: the bank's prefix and the last four digits."""
    value = normalise(value)
    if len(value) < 10:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**: enough for the person to recognise, not enough for others."""
    return value[:1] + "*" * (len(value) - 1) if value else ""
