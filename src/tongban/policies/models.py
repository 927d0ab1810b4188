"""Policies matched proactively against shared data (免申即享), their matches, offers, payments,
reconciliation and objections. See docs/policies.md.

A policy is versioned the way rule sets are (type versus instance): editing happens on the policy
while it is a draft or suspended; publishing freezes its rule and formula as a PolicyVersion, and
matching always reads the last published version.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Policy(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUSPENDED = "suspended", _("已暂停")
        EXPIRED = "expired", _("已失效")

    class Target(models.TextChoices):
        PERSON = "person", _("自然人")
        ENTERPRISE = "enterprise", _("法人")

    class Cycle(models.TextChoices):
        ONCE = "once", _("一次性")
        MONTHLY = "monthly", _("按月")
        YEARLY = "yearly", _("按年")

    class Delivery(models.TextChoices):
        AUTOMATIC = "automatic", _("免申即享")
        CONFIRM = "confirm", _("一键确认")
        NOTICE = "notice", _("精准推送")

    code = models.CharField(_("政策编码"), max_length=40, unique=True)
    name = models.CharField(_("政策名称"), max_length=200)
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="policies"
    )
    document_number = models.CharField(_("文号"), max_length=100)
    document_text = models.TextField(_("政策原文"), blank=True)
    summary = models.CharField(
        _("通俗说明"), max_length=300, help_text=_("告诉群众和企业这项政策给什么")
    )
    target = models.CharField(_("对象"), max_length=10, choices=Target.choices)
    eligibility = models.JSONField(_("享受条件（规则）"))
    amount_formula = models.JSONField(_("金额公式"))
    cycle = models.CharField(_("发放周期"), max_length=10, choices=Cycle.choices)
    budget_cap = models.DecimalField(_("预算上限（元）"), max_digits=14, decimal_places=2)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    delivery = models.CharField(_("兑现方式"), max_length=10, choices=Delivery.choices)
    service_item_code = models.CharField(
        _("申请事项编码"), max_length=60, blank=True, help_text=_("精准推送时指向的办事事项")
    )
    objection_days = models.PositiveSmallIntegerField(_("异议答复时限（工作日）"), default=10)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("惠民惠企政策")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def current_version(self):
        return self.versions.order_by("-number").first()


class PolicyVersion(models.Model):
    """What was published: the rule and the formula matching reads, frozen."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    eligibility = models.JSONField()
    amount_formula = models.JSONField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)
    dry_run = models.JSONField(_("发布前试算"), default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "政策版本"
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique")
        ]

    def __str__(self):
        return f"{self.policy.name} 第{self.number}版"


class PolicyEvent(models.Model):
    """Append-only history of a policy's status and edits."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策变更记录"
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"{self.policy_id}: {self.from_status or '—'} → {self.to_status}"


class SubjectSnapshot(models.Model):
    """The hash of the data a subject was last matched on: an incremental run re-evaluates only
    subjects whose hash changed (or who appeared or left)."""

    subject_kind = models.CharField(max_length=12)
    subject_index = models.CharField(max_length=64)
    data_hash = models.CharField(max_length=32)
    run = models.ForeignKey("MatchRun", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "对象数据快照"
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_index"], name="policies_snapshot_unique"
            )
        ]

    def __str__(self):
        return f"{self.subject_kind}:{self.subject_index[:8]}"


class MatchRun(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", _("全量")
        INCREMENTAL = "incremental", _("增量")

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("方式"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    as_of = models.DateField(_("基准日"))
    partitions = models.PositiveIntegerField(_("分区数"), default=1)
    partitions_done = models.PositiveIntegerField(_("已完成分区"), default=0)
    subjects = models.PositiveIntegerField(_("评估主体数"), default=0)
    checks = models.BigIntegerField(_("条款判断次数"), default=0)
    newly_eligible = models.PositiveIntegerField(_("新增符合"), default=0)
    no_longer_eligible = models.PositiveIntegerField(_("不再符合"), default=0)
    amount_changed = models.PositiveIntegerField(_("金额变化"), default=0)
    error = models.CharField(max_length=300, blank=True)
    feed_position = models.BigIntegerField(
        _("数据变更位置"),
        null=True,
        blank=True,
        help_text=_("本批次读到的共享数据最后一次装载；下次增量匹配从这里读取变更"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("匹配批次")
        ordering = ["-id"]

    def __str__(self):
        return f"匹配批次 {self.pk}（{self.get_kind_display()}）"


class Match(models.Model):
    """One subject × one policy: the outcome, the amount, why, and on which data."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        AUTOMATIC = "automatic", _("免申即享")
        NOTIFIED = "notified", _("已推送")
        DECLINED = "declined", _("已放弃")
        LAPSED = "lapsed", _("不再符合")

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="matches")
    version_number = models.PositiveIntegerField()
    subject_kind = models.CharField(max_length=12)
    subject_index = models.CharField(max_length=64, db_index=True)
    subject_ref = models.TextField(_("主体证件号码（加密）"))
    subject_name = models.CharField(_("名称"), max_length=200)
    region = models.CharField(_("区划"), max_length=12, blank=True)
    eligible = models.BooleanField(default=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    explanation = models.JSONField(_("依据"))
    data_hash = models.CharField(_("数据快照哈希"), max_length=32)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    run = models.ForeignKey(MatchRun, null=True, on_delete=models.SET_NULL, related_name="+")
    matched_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("政策匹配")
        ordering = ["policy", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "subject_index"], name="policies_match_once")
        ]

    def __str__(self):
        return f"{self.policy.name} · {self.subject_name}"


class MatchChange(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", _("新增符合")
        LOST = "lost", _("不再符合")
        AMOUNT = "amount", _("金额变化")

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="changes")
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    old_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    new_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        verbose_name = verbose_name_plural = "匹配变化记录"
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.match_id}"


class BankAccount(models.Model):
    """Where a subject is paid: taken from shared data where the law allows (社会保障卡), or
    entered once by the person or enterprise. The number is stored encrypted, shown masked."""

    class Source(models.TextChoices):
        SHARED = "shared", _("共享数据（社会保障卡）")
        ENTERED = "entered", _("本人填报")

    subject_index = models.CharField(max_length=64, unique=True)
    holder = models.CharField(_("户名"), max_length=200)
    bank = models.CharField(_("开户银行"), max_length=100)
    number = models.TextField(_("账号（加密）"))
    masked = models.CharField(_("账号"), max_length=40)
    source = models.CharField(max_length=8, choices=Source.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("发放账户")

    def __str__(self):
        return f"{self.bank} {self.masked}"


class PaymentBatch(models.Model):
    class Status(models.TextChoices):
        PREPARED = "prepared", _("已生成")
        EXPORTED = "exported", _("已交财政")
        RECONCILED = "reconciled", _("已对账")

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="batches")
    cycle = models.CharField(_("周期"), max_length=10)
    number = models.CharField(_("批次号"), max_length=40, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARED)
    total = models.DecimalField(_("合计金额"), max_digits=14, decimal_places=2, default=0)
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    checksum = models.CharField(_("校验和"), max_length=64, blank=True)
    cover_sheet = models.BinaryField(_("签章封面"), null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("发放批次")
        ordering = ["-id"]

    def __str__(self):
        return self.number


class PaymentLine(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待发放")
        SUSPENDED = "suspended", _("超出预算暂缓")
        PAID = "paid", _("已发放")
        FAILED = "failed", _("发放失败")

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="lines")
    line_no = models.PositiveIntegerField(_("行号"))
    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="payments")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+")
    subject_index = models.CharField(max_length=64)
    cycle = models.CharField(max_length=10)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("发放明细")
        ordering = ["batch", "line_no"]
        constraints = [
            # Never paid twice for one cycle: one line per subject, policy and cycle, whatever
            # the batch (a failed line is corrected in place, not added again).
            models.UniqueConstraint(
                fields=["policy", "subject_index", "cycle"], name="policies_paid_once_per_cycle"
            ),
            models.UniqueConstraint(fields=["batch", "line_no"], name="policies_line_no_unique"),
        ]

    def __str__(self):
        return f"{self.batch_id} 第{self.line_no}笔"


class Reconciliation(models.Model):
    """One reconciliation file from the finance bureau, with what it did line by line."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="imports")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    paid = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    refused = models.JSONField(_("拒绝的行"), default=list)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "对账记录"
        ordering = ["-id"]

    def __str__(self):
        return self.file_name


class Objection(models.Model):
    class Kind(models.TextChoices):
        QUALIFY = "qualify", _("我认为我符合条件")
        WRONG = "wrong", _("认定有误")

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="objections")
    match = models.ForeignKey(Match, null=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject_index = models.CharField(max_length=64)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    text = models.TextField(_("理由"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    due_date = models.DateField(_("答复期限"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("政策异议")
        ordering = ["due_date", "id"]

    def __str__(self):
        return f"{self.policy_id} · {self.get_kind_display()}"
