"""The platform's own certification authority and the key material of seals.

Algorithm: ECDSA on NIST P-256 with SHA-256, for the CA and for every seal. Key generation takes
well under a millisecond (RSA-2048 takes tens to hundreds), signatures are small, and every PAdES
reader (Acrobat, Foxit, poppler/pdfsig, pyHanko) validates it. SM2/SM3 (GB/T 38540) is not
supported by common PDF readers, so it is not used here (see docs/seals.md).

Where the CA comes from:
- embedded mode / default: a root key and self-signed certificate are created on first use and stored
  in the PlatformCA table, the key encrypted with core.pii (AES-GCM, rotating keys);
- production: TONGBAN_CA_CERT_FILE and TONGBAN_CA_KEY_FILE (PEM; TONGBAN_CA_KEY_PASSWORD if the key
  is encrypted) point at a CA managed outside the application; its certificate is registered in the
  table (without the key) so it is a trust root for verification.
"""

import datetime
import hashlib
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from tongban.config import env
from tongban.core import pii
from tongban.seals.models import PlatformCA

CA_VALID_YEARS = 20


def new_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_to_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def encrypt_key(key) -> str:
    return pii.encrypt(key_to_pem(key))


@lru_cache(maxsize=256)
def decrypt_key(stored: str):
    """Stored (encrypted) form → key object. Cached per process: the stored string is the key."""
    return serialization.load_pem_private_key(pii.decrypt(stored).encode(), password=None)


@lru_cache(maxsize=256)
def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def cert_to_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _serial() -> int:
    return secrets.randbits(127) | (1 << 126)  # positive, 16 bytes, never zero


def _ca_name() -> str:
    return f"{settings.PLATFORM_NAME} 电子印章根证书"


def _build_ca_certificate(key, name: str, now: datetime.datetime) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.PLATFORM_NAME),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(_serial())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * CA_VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _register(cert: x509.Certificate, encrypted_key: str) -> PlatformCA:
    forget_trust_roots()
    transaction.on_commit(forget_trust_roots)
    PlatformCA.objects.filter(is_current=True).update(is_current=False)
    return PlatformCA.objects.create(
        name=cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value,
        certificate_pem=cert_to_pem(cert),
        private_key_encrypted=encrypted_key,
        serial_hex=format(cert.serial_number, "x"),
        fingerprint_sha256=fingerprint(cert),
        valid_from=cert.not_valid_before_utc,
        valid_until=cert.not_valid_after_utc,
        is_current=True,
    )


@dataclass(frozen=True)
class CAFiles:
    cert_path: str
    key_path: str
    key_password: str


def configured_files() -> CAFiles | None:
    cert_path, key_path = env("CA_CERT_FILE"), env("CA_KEY_FILE")
    if not cert_path and not key_path:
        return None
    if not (cert_path and key_path):
        raise ImproperlyConfigured("TONGBAN_CA_CERT_FILE 与 TONGBAN_CA_KEY_FILE 必须同时配置")
    return CAFiles(cert_path, key_path, env("CA_KEY_PASSWORD"))


@lru_cache(maxsize=2)
def _load_files(files: CAFiles):
    cert = x509.load_pem_x509_certificate(Path(files.cert_path).read_bytes())
    key = serialization.load_pem_private_key(
        Path(files.key_path).read_bytes(), password=files.key_password.encode() or None
    )
    if key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise ImproperlyConfigured("TONGBAN_CA_KEY_FILE 与 TONGBAN_CA_CERT_FILE 不匹配")
    return cert, key


def current_ca() -> PlatformCA:
    """The CA that issues new seal certificates, created (or registered from files) on first use."""
    files = configured_files()
    if files is not None:
        cert, _key = _load_files(files)
        row = PlatformCA.objects.filter(serial_hex=format(cert.serial_number, "x")).first()
        if row is None:
            with transaction.atomic():
                row = _register(cert, encrypted_key="")
        elif not row.is_current:
            PlatformCA.objects.exclude(pk=row.pk).update(is_current=False)
            PlatformCA.objects.filter(pk=row.pk).update(is_current=True)
        return row
    row = PlatformCA.objects.filter(is_current=True).first()
    if row is not None:
        return row
    with transaction.atomic():
        row = PlatformCA.objects.select_for_update().filter(is_current=True).first()
        if row is None:
            key = new_private_key()
            cert = _build_ca_certificate(key, _ca_name(), timezone.now())
            row = _register(cert, encrypt_key(key))
    return row


def ca_private_key(row: PlatformCA):
    if row.private_key_encrypted:
        return decrypt_key(row.private_key_encrypted)
    files = configured_files()
    if files is not None:
        cert, key = _load_files(files)
        if format(cert.serial_number, "x") == row.serial_hex:
            return key
    raise ImproperlyConfigured("平台根证书的私钥不可用，无法签发印章证书")


_roots_cache: dict = {"at": 0.0, "roots": None}
ROOTS_CACHE_SECONDS = 60


def forget_trust_roots() -> None:
    _roots_cache["roots"] = None


def trust_roots_asn1() -> list:
    """trust_roots() as asn1crypto certificates (what pyHanko takes), cached per process for a
    minute; registering a CA in this process clears the cache at once."""
    from asn1crypto import x509 as asn1_x509

    now = time.monotonic()
    if _roots_cache["roots"] is None or now - _roots_cache["at"] > ROOTS_CACHE_SECONDS:
        _roots_cache["roots"] = [
            asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
            for cert in trust_roots()
        ]
        _roots_cache["at"] = now
    return _roots_cache["roots"]


def trust_roots() -> list[x509.Certificate]:
    """Every CA certificate the platform has used: verification trusts all of them."""
    current_ca()
    return [
        load_certificate(pem)
        for pem in PlatformCA.objects.values_list("certificate_pem", flat=True)
    ]


def issue_seal_certificate(
    *,
    ca: PlatformCA,
    public_key,
    seal_name: str,
    department_name: str,
    department_uscc: str,
    valid_from: datetime.datetime,
    valid_until: datetime.datetime,
) -> x509.Certificate:
    ca_cert = load_certificate(ca.certificate_pem)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, department_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, department_uscc),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, department_uscc),
            x509.NameAttribute(NameOID.COMMON_NAME, seal_name),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(_serial())
        .not_valid_before(valid_from)
        .not_valid_after(valid_until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
            critical=False,
        )
        .sign(ca_private_key(ca), hashes.SHA256())
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
