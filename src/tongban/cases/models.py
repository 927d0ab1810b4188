"""Case handling after submission: acceptance, deadlines, special procedures, review steps,
decisions, completion, delivery and supervision (GB/T 39046 §6, 行政许可法 art. 32–45).

The 办件 itself is applications.Application (one reference from draft to licence, one status
table). A Case row is created when staff first act on a submitted application and carries what
handling adds. Deadlines follow ARCHITECTURE pattern 4: the statutory and promised due dates are
columns fixed at acceptance; special procedures and the extension are dated rows; the effective due
date is derived from them and the working-day calendar, so the clock really stops.
"""

from django.db import models

from tongban.applications.models import Application


class RefusalGround(models.TextChoices):
    """Why an application is not accepted (行政许可法 art. 32 (1), (2); and a correction notice
    that was not followed, the one notice the law allows having been used)."""

    NOT_LICENSABLE = "not_licensable", "依法不需要取得行政许可"
    NOT_COMPETENT = "not_competent", "不属于本机关职权范围"
    NOT_CORRECTED = "not_corrected", "未按补正告知书要求补正"
    OTHER = "other", "其他依法不予受理的情形"


class Case(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", "准予许可"
        DENY = "deny", "不予许可"

    class CompletionResult(models.TextChoices):  # 办结结果 of the national exchange practice
        ISSUED = "0", "出证办结"
        RETURNED = "1", "退回办结"
        VOIDED = "2", "作废办结"
        DELETED = "3", "删除办结"
        FORWARDED = "4", "转报办结"
        CORRECTION_OVERDUE = "5", "补交逾期办结"
        OTHER = "6", "其他办结"

    class Warning(models.TextChoices):
        NONE = "", "正常"
        YELLOW = "yellow", "黄色预警"
        RED = "red", "红色预警（已超期）"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="case")
    department = models.ForeignKey(
        "core.Department", verbose_name="承办部门", on_delete=models.PROTECT, related_name="cases"
    )
    # acceptance (受理)
    accepted_on = models.DateField("受理日期", null=True, blank=True, db_index=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.User",
        verbose_name="受理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deemed_accepted = models.BooleanField(
        "视为受理",
        default=False,
        help_text="5个工作日内未作出受理决定，自收到申请之日起视为受理（行政许可法第三十二条）",
    )
    # time limits in working days, fixed at acceptance from the pinned catalogue version
    legal_limit_days = models.PositiveIntegerField("法定时限（工作日）", null=True, blank=True)
    promised_limit_days = models.PositiveIntegerField("承诺时限（工作日）", null=True, blank=True)
    legal_due_date = models.DateField("法定办结日期（受理时）", null=True, blank=True)
    promised_due_date = models.DateField("承诺办结日期（受理时）", null=True, blank=True)
    # derived from suspensions and the extension; refreshed by every action that changes them
    effective_due_date = models.DateField("当前办结期限", null=True, blank=True, db_index=True)
    suspended = models.BooleanField("暂停计时中", default=False)
    warning = models.CharField(
        "预警", max_length=6, choices=Warning.choices, default="", blank=True, db_index=True
    )
    # decision and completion
    decision = models.CharField("决定", max_length=8, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reason = models.TextField("决定理由", blank=True)
    legal_basis = models.TextField("法律依据", blank=True)
    # 不予受理 (行政许可法 art. 32 (1)–(2)): which case of the article, and the organ to apply to
    refusal_ground = models.CharField(
        "不予受理情形", max_length=16, choices=RefusalGround.choices, blank=True
    )
    refer_to_organ = models.CharField(
        "告知向其申请的机关",
        max_length=200,
        blank=True,
        help_text="申请事项不属于本机关职权范围的，告知申请人向有关行政机关申请（行政许可法第三十二条）",
    )
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    completion_result = models.CharField(
        "办结结果", max_length=1, choices=CompletionResult.choices, blank=True
    )
    working_days_used = models.PositiveIntegerField("实际用时（工作日）", null=True, blank=True)
    # delivery (送达), within 10 working days of the decision (art. 44)
    delivery_due_date = models.DateField("送达期限", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivery_method = models.CharField(
        "送达方式",
        max_length=10,
        blank=True,
        choices=[("window", "窗口领取"), ("mail", "邮寄送达")],
    )
    tracking_number = models.CharField("邮件单号", max_length=40, blank=True)
    receiver_name = models.CharField("领取人", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件办理"
        indexes = [models.Index(fields=["department", "warning"])]

    def __str__(self):
        return str(self.application)


class CorrectionNotice(models.Model):
    """补正告知: one notice listing everything to correct (一次性告知)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    items = models.JSONField("需补正内容")
    issued_at = models.DateTimeField("告知时间", auto_now_add=True)
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    respond_by = models.DateField("补正期限")
    resolved_at = models.DateTimeField("补正提交时间", null=True, blank=True)
    document_number = models.CharField("文书编号", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "补正告知"
        ordering = ["issued_at"]

    def __str__(self):
        return f"补正告知 {self.document_number}"


class Suspension(models.Model):
    """特别程序: the clock stops from `started_on` (inclusive) until `ended_on` (exclusive)."""

    class Kind(models.TextChoices):
        HEARING = "hearing", "听证"
        TENDER = "tender", "招标"
        AUCTION = "auction", "拍卖"
        INSPECTION = "inspection", "检验"
        TESTING = "testing", "检测"
        QUARANTINE = "quarantine", "检疫"
        APPRAISAL = "appraisal", "鉴定"
        EXPERT_REVIEW = "expert", "专家评审"
        SITE_CHECK = "site", "实地核查"

    # 行政许可法 art. 45 lists the procedures whose time is not counted; anything else (实地核查)
    # is recorded as a procedure of the case but the clock keeps running.
    CLOCK_STOPPING = frozenset(Kind.values) - {Kind.SITE_CHECK}

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField("特别程序种类", max_length=12, choices=Kind.choices)
    reason = models.TextField("启动理由或依据")
    started_on = models.DateField("开始日期")
    started_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    ended_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField("特别程序结果", blank=True)
    working_days = models.PositiveIntegerField("暂停工作日数", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "特别程序"
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_on=None),
                name="one_open_suspension_per_case",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_on}"

    @property
    def stops_clock(self) -> bool:
        return self.kind in self.CLOCK_STOPPING


class Extension(models.Model):
    """延长审批: once per case, approved by the department head, reason told to the applicant."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="extension")
    working_days = models.PositiveIntegerField("延长工作日数")
    reason = models.TextField("延长理由")
    approved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField("批准时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "延长审批"

    def __str__(self):
        return f"延长 {self.working_days} 个工作日"


class ReviewStep(models.Model):
    """办理环节 (GB/T 39046 §6.4): one row per workflow task; 待办 until completed."""

    class Action(models.TextChoices):
        APPROVE = "approve", "通过"
        RETURN = "return", "退回"
        OTHER = "other", "其他"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    task_id = models.CharField(max_length=64, db_index=True)
    name = models.CharField("环节名称", max_length=60)
    role = models.CharField("角色", max_length=20, db_index=True)
    department = models.ForeignKey(
        "core.Department", verbose_name="处理单位", on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        "accounts.User",
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True, db_index=True)
    action = models.CharField("业务动作", max_length=8, choices=Action.choices, blank=True)
    opinion = models.TextField("处理意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理环节"
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["department", "role", "finished_at"])]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class CaseDocument(models.Model):
    """A sealed document issued for the case (受理通知书, 补正告知书, 不予受理决定书, 决定书 …)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("文书类型", max_length=30)
    document = models.ForeignKey("seals.IssuedDocument", on_delete=models.PROTECT, related_name="+")
    public = models.BooleanField("申请人可见", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件文书"
        ordering = ["id"]

    def __str__(self):
        return self.kind


class SupervisionNotice(models.Model):
    """督办: a supervisor tells the handling department to act; the handler must answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    sent_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("督办时间", auto_now_add=True)
    message = models.TextField("督办意见")
    answered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answer = models.TextField("答复", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办"
        ordering = ["-sent_at"]

    def __str__(self):
        return f"督办 {self.case}"


class WarningEvent(models.Model):
    """A warning raised by the scheduled job; kept so each level is notified once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="warning_events")
    level = models.CharField(max_length=6, choices=Case.Warning.choices)
    raised_at = models.DateTimeField(auto_now_add=True)
    days_left = models.IntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "预警记录"
        constraints = [
            models.UniqueConstraint(fields=["case", "level"], name="one_warning_per_level")
        ]

    def __str__(self):
        return f"{self.case} {self.get_level_display()}"


# --- 智能秒批 (instant approval) ------------------------------------------------------------------


class InstantApprovalConfig(models.Model):
    """Per service item: whether submissions are checked against a rule set and approved by the
    system when every clause passes, and which share of those goes to 事后抽查. Changed only
    through cases.instant (history in InstantApprovalConfigChange, audited)."""

    service_item = models.OneToOneField(
        "catalog.ServiceItem",
        verbose_name="事项",
        on_delete=models.CASCADE,
        related_name="instant_approval",
    )
    enabled = models.BooleanField("开启智能秒批", default=False)
    rule_set = models.ForeignKey(
        "rules.RuleSet", verbose_name="规则集", on_delete=models.PROTECT, related_name="+"
    )
    sample_percent = models.PositiveSmallIntegerField(
        "事后抽查比例（%）",
        default=10,
        help_text="秒批办件中随机抽取送事后抽查的比例，0–100",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "智能秒批配置"

    def __str__(self):
        return f"{self.service_item}：{'开启' if self.enabled else '关闭'}"


class InstantApprovalConfigChange(models.Model):
    """Append-only history of a configuration: who switched what, when and why."""

    config = models.ForeignKey(
        InstantApprovalConfig, on_delete=models.CASCADE, related_name="changes"
    )
    enabled = models.BooleanField()
    rule_set_code = models.CharField(max_length=60)
    sample_percent = models.PositiveSmallIntegerField()
    note = models.CharField("说明", max_length=300, blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "智能秒批配置记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.config} {self.at:%Y-%m-%d %H:%M}"


class InstantDecision(models.Model):
    """One submission checked for 智能秒批: the rule decision (version, outcome, trace), the sealed
    审查报告, whether the system approved or routed the case to a person, and the 事后抽查."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "已秒批"
        MANUAL = "manual", "转人工办理"

    class Check(models.TextChoices):
        NONE = "", "未抽中"
        PENDING = "pending", "待抽查"
        CONFIRMED = "confirmed", "抽查无误"
        REVOKED = "revoked", "发现问题，已撤销"

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="instant_decision"
    )
    rule_decision = models.ForeignKey(
        "rules.RuleDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    reasons = models.JSONField("未通过的条款或缺失的数据", default=list, blank=True)
    report = models.ForeignKey(
        CaseDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("核验时间", auto_now_add=True)
    spot_check = models.CharField(
        "事后抽查", max_length=10, choices=Check.choices, default="", blank=True, db_index=True
    )
    checked_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField("抽查时间", null=True, blank=True)
    check_note = models.TextField("抽查意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "智能秒批核验"
        ordering = ["-decided_at"]

    def __str__(self):
        return f"{self.application}：{self.get_outcome_display()}"
