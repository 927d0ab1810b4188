"""SMS channel plugins. The embedded default "log" writes to the log (phone masked) and to SmsOutbox.

A real gateway is a subclass of SmsGateway registered under kind "sms" (see docs/notify.md): it
implements `send_sms` and raises DeliveryError when the gateway refuses or cannot be reached.
"""

import logging
import uuid

from tongban.core import pii, plugins

log = logging.getLogger(__name__)


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
        log.info("短信（演示，未真正发送）→ %s：%s", masked, text)
        return f"log-{uuid.uuid4().hex[:16]}"
