"""Real-name levels (实名认证等级) and the checks that reach them, as plug-ins:

| level | check | plug-in kind | shipped |
|---|---|---|---|
| 1 | name and ID number found in the population data | realname_1 | exchange "population" |
| 2 | public-security real-name check | realname_2 | demo "demo_police" |
| 3 | face verification (刷脸) | realname_3 | demo "demo_face" |

A check answers `check(real_name=…, id_number=…, evidence=…)` with a CheckResult. The demo
plug-ins simulate the authority deterministically (documented below) so tests and the demo can
reach every level; a real deployment configures the authority's plug-in in TONGBAN_PLUGINS_JSON.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongban.core import plugins

# In Chinese (what records and the catalogue's choices keep), and as shown in the person's language.
NAMES = {
    0: gettext_noop("未实名核验"),
    1: gettext_noop("人口库比对通过"),
    2: gettext_noop("公安实名核验通过"),
    3: gettext_noop("人脸核验通过"),
}
LEVELS = {level: gettext_lazy(name) for level, name in NAMES.items()}
KIND_OF_LEVEL = {1: "realname_1", 2: "realname_2", 3: "realname_3"}
for _level, _kind in KIND_OF_LEVEL.items():
    plugins.KINDS.setdefault(_kind, f"实名认证（{_level}级：{NAMES[_level]}）")

# The demo face service answers this token from its (simulated) camera page.
DEMO_FACE_EVIDENCE = "demo-face-live"


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    reason: str = ""  # in Chinese, shown to the person when the check fails


class RealnameCheck(plugins.Plugin):
    def check(self, *, real_name: str, id_number: str, evidence: str = "") -> CheckResult:
        raise NotImplementedError


@plugins.register("realname_2", "demo_police")
class DemoPoliceCheck(RealnameCheck):
    """Simulates the public-security check: a number whose sequence digits (15–16) are "99" is
    answered "不一致"; every other valid number passes."""

    label = "公安实名核验（演示，模拟应答）"
    demo = True

    def check(self, *, real_name, id_number, evidence=""):
        if id_number[14:16] == "99":
            return CheckResult(False, "公安实名核验未通过：姓名与公民身份号码不一致")
        return CheckResult(True)


@plugins.register("realname_3", "demo_face")
class DemoFaceCheck(RealnameCheck):
    """Simulates face verification: passes when the demo camera page sent its live token."""

    label = "人脸核验（演示，模拟应答）"
    demo = True

    def check(self, *, real_name, id_number, evidence=""):
        if evidence != DEMO_FACE_EVIDENCE:
            return CheckResult(False, "人脸核验未通过，请正对镜头、光线充足后重试")
        return CheckResult(True)


# --- what an item's "required real-name level" means for the person applying online ---------------
@dataclass(frozen=True)
class Shortfall:
    """The applicant is below the level a service item requires: what they are told."""

    required: int
    current: int
    personal: bool  # a personal account (can raise its level here); else an enterprise account
    message: str


def shortfall(user, required: int) -> Shortfall | None:
    """None when `user` may apply online for an item requiring `required` (0: no requirement);
    else what is missing and, in Chinese, what to do about it. Only personal accounts have a
    level; an enterprise account applies through an authorised agent's personal account."""
    from tongban.identity.claims import realname_level

    if not required or required <= 0:
        return None
    label = LEVELS.get(required, "")
    if user.kind != "citizen" or not hasattr(user, "citizen"):
        return Shortfall(
            required,
            0,
            False,
            _(
                "该事项网上申请须由本人以个人账户完成实名认证%(required)s级（%(label)s）。"
                "企业账户不能直接提交，请由已获企业授权的经办人登录个人账户办理，"
                "或到办事窗口当面办理。"
            )
            % {"required": required, "label": label},
        )
    current = realname_level(user)
    if current >= required:
        return None
    return Shortfall(
        required,
        current,
        True,
        _(
            "该事项网上申请须达到实名认证%(required)s级（%(label)s），您目前为%(current)s级。"
            "请先到“账号安全 › 实名认证”逐级提升；填写的内容保存在草稿中，达到等级后即可提交。"
            "也可以到办事窗口当面办理。"
        )
        % {"required": required, "label": label, "current": current},
    )
