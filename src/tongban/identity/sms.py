"""SMS verification codes (短信验证码): for registration (the phone is proved before the account
exists), login and password recovery.

A code is six random digits, valid for SMS_CODE_MINUTES, used once, and dead after
SMS_CODE_MAX_TRIES wrong guesses. Only a keyed hash of it is stored, and the phone only as its
blind index. Sending is limited per phone (one a minute, SMS_CODES_PER_PHONE_HOUR an hour) and per
address (SMS_CODES_PER_ADDRESS_HOUR an hour). The text goes out through the "code_sms" plug-in
(the notify app fulfils it: a secret delivery whose log shows the code masked).
"""

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.core import audit, pii, plugins, ratelimit
from tongban.identity.audit_actions import AuditAction
from tongban.identity.models import SmsCode

PHONE_PATTERN = re.compile(r"1[3-9]\d{9}")
CODE_PATTERN = re.compile(r"\d{6}")
Purpose = SmsCode.Purpose


class TooManyCodes(ValidationError):
    """Rate limit reached (HTTP 429 for machines, a clear sentence for people)."""


def _hash(phone_index: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"sms-code:{phone_index}:{code}".encode(), hashlib.sha256).hexdigest()


def _minutes() -> int:
    return settings.SMS_CODE_MINUTES


def _check_phone(phone: str) -> str:
    phone = pii.normalise(phone)
    if not PHONE_PATTERN.fullmatch(phone):
        raise ValidationError({"phone": [_("手机号码应为以1开头的11位数字")]})
    return phone


def account_for(phone: str) -> User | None:
    return User.objects.filter(phone_index=pii.blind_index(phone, "phone"), is_active=True).first()


def _limit(phone_index: str, address: str) -> None:
    if ratelimit.exceeded(f"sms-code:phone-minute:{phone_index}", 1, 60):
        raise TooManyCodes({"phone": [_("验证码发送过于频繁，请在1分钟后再试")]})
    if ratelimit.exceeded(
        f"sms-code:phone-hour:{phone_index}", settings.SMS_CODES_PER_PHONE_HOUR, 3600
    ):
        raise TooManyCodes({"phone": [_("该号码本小时获取验证码次数已达上限，请稍后再试")]})
    if address and ratelimit.exceeded(
        f"sms-code:address:{pii.blind_index(address, 'address')}",
        settings.SMS_CODES_PER_ADDRESS_HOUR,
        3600,
    ):
        raise TooManyCodes({"phone": [_("您所在网络获取验证码过于频繁，请稍后再试")]})


@transaction.atomic
def send_code(*, phone: str, purpose: str, address: str = "") -> bool:
    """Send a code for `purpose`. Returns whether a text went out: for login and recovery no code
    goes to a number without an account, but the answer to the person is the same (nobody learns
    which numbers are registered)."""
    if purpose not in Purpose.values:
        raise ValueError(purpose)
    phone = _check_phone(phone)
    index = pii.blind_index(phone, "phone")
    _limit(index, address)
    account = account_for(phone)
    if purpose == Purpose.REGISTER and account is not None:
        raise ValidationError({"phone": [_("该手机号码已注册，请直接登录")]})
    if purpose != Purpose.REGISTER and account is None:
        return False
    # An earlier code for the same purpose dies when a new one is sent.
    SmsCode.objects.filter(phone_index=index, purpose=purpose, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    code = f"{secrets.randbelow(10**6):06d}"
    SmsCode.objects.create(
        phone_index=index,
        purpose=purpose,
        code_hash=_hash(index, code),
        expires_at=timezone.now() + timezone.timedelta(minutes=_minutes()),
    )
    plugins.get_plugin("code_sms").send_code(
        phone=phone, code=code, purpose=purpose, minutes=_minutes(), recipient=account
    )
    audit.record(
        AuditAction.SMS_CODE_SENT,
        obj=account,
        detail={"purpose": purpose, "phone": pii.mask_phone(phone)},
    )
    return True


def verify_code(*, phone: str, purpose: str, code: str) -> None:
    """Use the code up, or raise ValidationError({"code": …}). Wrong guesses count in their own
    transaction, so they stay counted whatever the caller does next."""
    phone = _check_phone(phone)
    code = (code or "").strip()
    wrong = ValidationError({"code": [_("验证码不正确或已失效，请重新获取")]})
    if not CODE_PATTERN.fullmatch(code):
        raise wrong
    index = pii.blind_index(phone, "phone")
    # Wrong guesses are also counted in the cache, which a rolled-back caller cannot undo.
    guesses_key = f"sms-code:wrong:{index}:{purpose}"
    if (cache.get(guesses_key) or 0) >= settings.SMS_CODE_MAX_TRIES:
        raise wrong
    with transaction.atomic():
        current = (
            SmsCode.objects.select_for_update()
            .filter(
                phone_index=index,
                purpose=purpose,
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .order_by("-created_at")
            .first()
        )
        if current is None or current.failed_attempts >= settings.SMS_CODE_MAX_TRIES:
            raise wrong
        matches = hmac.compare_digest(current.code_hash, _hash(index, code))
        if matches:
            current.used_at = timezone.now()
            current.save(update_fields=["used_at"])
        else:
            current.failed_attempts += 1
            current.save(update_fields=["failed_attempts"])
    if not matches:
        cache.set(guesses_key, (cache.get(guesses_key) or 0) + 1, _minutes() * 60)
        raise wrong


class CodeSender(plugins.Plugin):
    """Kind "code_sms": text a verification code to a phone without the code being kept or
    logged in clear. The notify app registers the platform's implementation."""

    def send_code(self, *, phone: str, code: str, purpose: str, minutes: int, recipient=None):
        raise NotImplementedError


plugins.KINDS.setdefault("code_sms", "验证码短信")


class PhoneProof(plugins.Plugin):
    """Kind "phone_proof", used by accounts' registration: send and check a code proving the
    phone belongs to the person registering."""

    def send(self, *, phone: str, address: str = "") -> None:
        raise NotImplementedError

    def verify(self, *, phone: str, code: str) -> None:
        raise NotImplementedError


plugins.KINDS.setdefault("phone_proof", "手机号码验证")
