"""Plug-in points of identity, and its own implementations.

- "phone_proof" (used by accounts' registration) is fulfilled here by SMS codes;
- "code_sms" (how a code reaches the phone) is fulfilled by notify;
- "realname_1/2/3" (real-name checks per level) — level 1 by the exchange (population data),
  levels 2 and 3 by demo simulations of the public-security and face services (identity.realname).
"""

from tongban.core import plugins
from tongban.identity import sms
from tongban.identity.realname import DemoFaceCheck, DemoPoliceCheck  # noqa: F401 (registers)


@plugins.register("phone_proof", "sms_code")
class SmsPhoneProof(sms.PhoneProof):
    label = "短信验证码"

    def send(self, *, phone: str, address: str = "") -> None:
        sms.send_code(phone=phone, purpose=sms.Purpose.REGISTER, address=address)

    def verify(self, *, phone: str, code: str) -> None:
        sms.verify_code(phone=phone, purpose=sms.Purpose.REGISTER, code=code)
