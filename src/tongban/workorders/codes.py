"""Work-order codes: types, channels, urgency, statuses and the transition table with who may move.

The loop is 立案 → 派单 → 签收/处置 → 反馈/办结 → 回访 → 结案. 退单 goes back to the dispatcher with the
clock paused; 不满意 at the callback reopens the order once (重办), a second 不满意 sends it to the
supervisor. 延期 and 协办 are side rows that do not change the status; 下派 does.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):  # 诉求类型
    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12345热线")
    WEB = "web", _("网站")
    API = "api", _("接口")
    GRID = "grid", _("网格员")
    PATROL = "patrol", _("数字城管巡查")
    IOT = "iot", _("物联感知")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    PRESSING = "pressing", _("较急")
    NORMAL = "normal", _("一般")


class Status(models.TextChoices):
    REGISTERED = "registered", _("已立案，待派单")
    DISPATCHED = "dispatched", _("已派单，待签收")
    ACCEPTED = "accepted", _("已签收，处置中")
    HANDED_DOWN = "handed_down", _("已下派，街道社区处置中")
    RETURNED = "returned", _("已退单，待重新派单")
    REPLIED = "replied", _("已办结反馈，待回访")
    ESCALATED = "escalated", _("不满意，已转督查")
    CLOSED = "closed", _("已结案")
    MERGED = "merged", _("已并单")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Warning(models.TextChoices):
    NONE = "", _("正常")
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警（已超期）")


class RequestStatus(models.TextChoices):  # 延期申请、协办
    PENDING = "pending", _("待处理")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("未同意")
    DONE = "done", _("已完成")


# Who acts: the dispatcher (派单员 of the 12345 centre), the operator (话务员), the handling
# department's staff, the supervisor (效能监察), the reporter themselves, or the system.
DISPATCHER, OPERATOR, DEPARTMENT, SUPERVISOR, REPORTER, SYSTEM = (
    "dispatcher",
    "operator",
    "department",
    "supervisor",
    "reporter",
    "system",
)

S = Status
# (from, to, move) → who may make it. A move not listed is refused.
TRANSITIONS: dict[tuple[str, str, str], set[str]] = {
    (S.REGISTERED, S.DISPATCHED, "dispatch"): {DISPATCHER, SYSTEM},
    (S.REGISTERED, S.CLOSED, "answer"): {OPERATOR, DISPATCHER},
    (S.REGISTERED, S.MERGED, "merge"): {DISPATCHER},
    (S.RETURNED, S.DISPATCHED, "dispatch"): {DISPATCHER},
    (S.RETURNED, S.MERGED, "merge"): {DISPATCHER},
    (S.DISPATCHED, S.MERGED, "merge"): {DISPATCHER},
    (S.DISPATCHED, S.DISPATCHED, "reassign"): {DISPATCHER},
    (S.ACCEPTED, S.DISPATCHED, "reassign"): {DISPATCHER},
    (S.DISPATCHED, S.ACCEPTED, "accept"): {DEPARTMENT},
    (S.DISPATCHED, S.RETURNED, "return"): {DEPARTMENT},
    (S.ACCEPTED, S.RETURNED, "return"): {DEPARTMENT},
    (S.ACCEPTED, S.HANDED_DOWN, "hand_down"): {DEPARTMENT},
    (S.ACCEPTED, S.REPLIED, "reply"): {DEPARTMENT},
    (S.HANDED_DOWN, S.REPLIED, "reply"): {DEPARTMENT},
    (S.REPLIED, S.CLOSED, "callback"): {OPERATOR, DISPATCHER, REPORTER},
    (S.REPLIED, S.DISPATCHED, "callback"): {OPERATOR, DISPATCHER, REPORTER},  # 重办
    (S.REPLIED, S.ESCALATED, "callback"): {OPERATOR, DISPATCHER, REPORTER},
    (S.ESCALATED, S.DISPATCHED, "supervise_redo"): {SUPERVISOR},
    (S.ESCALATED, S.CLOSED, "supervise_close"): {SUPERVISOR},
}

MOVE_LABELS = {
    "register": _("立案"),
    "dispatch": _("派单"),
    "answer": _("即时答复办结"),
    "merge": _("并单"),
    "reassign": _("改派"),
    "accept": _("签收"),
    "return": _("退单"),
    "hand_down": _("下派"),
    "reply": _("办结反馈"),
    "callback": _("回访"),
    "supervise_redo": _("督查重办"),
    "supervise_close": _("督查结案"),
    "extension_request": _("申请延期"),
    "extension_decide": _("延期审批"),
    "assist_request": _("发起协办"),
    "assist_reply": _("协办答复"),
    "supervise": _("督办"),
    "alert_repeat": _("感知告警重复"),
}

# Open: the department's clock runs (not returned: the clock is paused while the dispatcher decides).
ON_CLOCK = {S.DISPATCHED, S.ACCEPTED, S.HANDED_DOWN}
FINAL = {S.CLOSED, S.MERGED}
OPEN = set(S.values) - FINAL
