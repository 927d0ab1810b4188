"""SMS channel plugins. The embedded default "log" writes to the log (phone masked) and to SmsOutbox.

A real gateway is a subclass of SmsGateway registered under kind "sms" (see docs/notify.md): it
implements `send_sms` and raises DeliveryError when the gateway refuses or cannot be reached.
"""

import logging
import re
import uuid

from tongban.core import pii, plugins

log = logging.getLogger(__name__)
CODE_LIKE = re.compile(r"(?<!\d)\d{4,8}(?!\d)")


class DeliveryError(Exception):
    """Sending failed. `permanent=True` (e.g. an invalid number) gives up at once instead of retrying."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SmsGateway(plugins.Plugin):
    """Kind "sms": send one text to one mobile number."""

    def send_sms(self, phone: str, text: str, *, reference: str) -> str:
        """Send `text` to `phone`; return the gateway's message id. `reference` is stable across
        retries of the same delivery: pass it to gateways that de-duplicate on a client id."""
        raise NotImplementedError


@plugins.register("sms", "log")
class LogSms(SmsGateway):
    label = "写入日志和短信发件箱，不真正发送"
    demo = True

    def send_sms(self, phone: str, text: str, *, reference: str) -> str:
        from tongban.notify.models import SmsOutbox

        masked = pii.mask_phone(phone)
        SmsOutbox.objects.create(phone=phone, masked_phone=masked, text=text, reference=reference)
        # Digit runs of 4–8 (verification codes) never reach the log; the outbox is the phone.
        log.info("短信（演示，未真正发送）→ %s：%s", masked, CODE_LIKE.sub("******", text))
        return f"log-{uuid.uuid4().hex[:16]}"


@plugins.register("code_sms", "notify")
class VerificationCodeSms(plugins.Plugin):
    """Kind "code_sms" (offered by identity): a verification code goes out as a secret SMS
    delivery: the code is kept encrypted only until sent, and the delivery log shows it masked."""

    label = "通过消息通知发送（短信渠道，验证码保密）"

    PURPOSES = {"login": "登录", "register": "注册", "recover": "找回密码"}

    def send_code(self, *, phone: str, code: str, purpose: str, minutes: int, recipient=None):
        from tongban.notify import actions

        what = self.PURPOSES.get(purpose, "身份验证")
        text = "您正在{what}，验证码{code}，{minutes}分钟内有效。请勿告诉他人。"
        return actions.send_sms_to_phone(
            phone,
            text.format(what=what, code=code, minutes=minutes),
            code=f"identity.sms_code.{purpose}",
            recipient=recipient,
            secret=True,
            masked_text=text.format(what=what, code="******", minutes=minutes),
        )
