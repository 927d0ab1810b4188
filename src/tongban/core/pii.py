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
    gets its own nonce."""
    key_id, keys = _keyring(settings.PII_KEYS)
    aead, aad, prefix = keys[key_id], key_id.encode(), f"{key_id}:"
    plaintexts = list(plaintexts)
    # The nonces come from one read of the system's random source: as random as one read each.
    nonces = os.urandom(12 * len(plaintexts))
    sealed = []
    for n, plaintext in enumerate(plaintexts):
        nonce = nonces[12 * n : 12 * n + 12]
        body = nonce + aead.encrypt(nonce, plaintext.encode(), aad)
        sealed.append(prefix + base64.urlsafe_b64encode(body).decode())
    return sealed


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
    """`blind_index` for many values at once (bulk loads): the key is decoded once."""
    key = _decode_key(settings.PII_INDEX_KEY)
    return [
        hmac.digest(key, f"{kind}:{normalise(value)}".encode(), "sha256").hex() for value in values
    ]


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
