"""ID card readers for the self-service kiosk (kind "id_card_reader").

The reader sits at the terminal; a small agent on the terminal reads the card and hands the kiosk
page what it read, which the page posts to the server. The plugin decides whether the server
trusts it:
- "signed-agent": the terminal's agent signs "id_number|timestamp" with HMAC-SHA256 under a secret
  shared with the platform; a read is accepted only with a valid signature and a recent timestamp.
- "simulated" (demo): no reader; the kiosk page offers the demo people's cards to "swipe".
"""

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from tongban.core import identifiers, plugins

plugins.KINDS.setdefault("id_card_reader", "身份证读卡器")


@dataclass(frozen=True)
class CardRead:
    id_number: str


class IdCardReader(plugins.Plugin):
    def read(self, payload: dict) -> CardRead:
        """What the terminal posted → the card's ID number; ValidationError (Chinese) if refused."""
        raise NotImplementedError

    @staticmethod
    def _checked(id_number: str) -> CardRead:
        id_number = (id_number or "").strip().upper()
        checked = identifiers.check_citizen_id(id_number)
        if not checked.valid:
            raise ValidationError(f"读卡失败：{checked.reason}，请重新放置身份证")
        return CardRead(id_number)


@plugins.register("id_card_reader", "simulated")
class SimulatedReader(IdCardReader):
    label = "模拟读卡器（演示）"
    demo = True

    def read(self, payload: dict) -> CardRead:
        return self._checked(payload.get("id_number", ""))


def card_reader() -> IdCardReader:
    """The configured reader; outside production with none configured, the simulated one (as the
    embedded default sends SMS to the log). Production must configure a real one."""
    if plugins.active_config("id_card_reader") is None and not settings.PRODUCTION:
        return SimulatedReader()
    return plugins.get_plugin("id_card_reader")


def sign(secret: str, id_number: str, timestamp: int) -> str:
    message = f"{id_number}|{timestamp}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@plugins.register("id_card_reader", "signed-agent")
class SignedAgentReader(IdCardReader):
    label = "终端读卡代理（HMAC 签名）"
    options = (
        plugins.Option("secret", "共享密钥", required=True, secret=True),
        plugins.Option("max_age", "签名有效期（秒）", default=60),
    )

    @classmethod
    def check_config(cls, options: dict) -> list[str]:
        problems = super().check_config(options)
        if options.get("secret") and len(str(options["secret"])) < 16:
            problems.append("共享密钥至少 16 个字符")
        return problems

    def read(self, payload: dict) -> CardRead:
        id_number = (payload.get("id_number") or "").strip().upper()
        try:
            timestamp = int(payload.get("timestamp") or 0)
        except ValueError:
            timestamp = 0
        expected = sign(self.config["secret"], id_number, timestamp)
        if not hmac.compare_digest(expected, str(payload.get("signature") or "")):
            raise ValidationError("读卡数据校验失败，请重新刷卡")
        if abs(time.time() - timestamp) > int(self.config["max_age"]):
            raise ValidationError("读卡数据已过期，请重新刷卡")
        return self._checked(id_number)
