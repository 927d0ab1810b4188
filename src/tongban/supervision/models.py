"""Summary tables of supervision (效能监察). They are derived data: written only by
`supervision.summary` (the incremental fold) and `supervision.monitor`, read by the dashboards,
the big screen and the monthly reports. Nothing here is a record of another domain; deleting every
row and folding again from watermark 0 gives the same figures.

None of these tables carries a person: no names, no identifiers of applicants or staff."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


class Watermark(models.Model):
    """How far the fold has read an append-only source (the highest id folded)."""

    source = models.CharField("来源", max_length=40, unique=True)
    last_id = models.BigIntegerField("已汇总至", default=0)
    last_at = models.DateTimeField("已汇总至时间", null=True, blank=True)
    folded_at = models.DateTimeField("汇总时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "汇总进度"

    def __str__(self):
        return f"{self.source} → {self.last_id}"


class CaseFact(models.Model):
    """One row per 办件 (submitted application): what the dashboards count, without the person."""

    application_id = models.BigIntegerField(unique=True)
    case_number = models.CharField(max_length=43)
    department = models.ForeignKey(
        "core.Department", on_delete=models.CASCADE, related_name="+", null=True
    )
    region_code = models.CharField(max_length=12, db_index=True)
    service_item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=8)
    status = models.CharField(max_length=12)
    received_on = models.DateField(db_index=True)
    accepted_on = models.DateField(null=True)
    completed_on = models.DateField(null=True)
    promised_days = models.PositiveIntegerField(null=True)
    used_days = models.PositiveIntegerField(null=True)
    on_time = models.BooleanField(null=True)
    warning = models.CharField(max_length=6, blank=True)
    ever_warned = models.BooleanField(default=False)
    supervised = models.BooleanField(default=False)
    corrections = models.PositiveSmallIntegerField(default=0)
    suspended_days = models.PositiveIntegerField(default=0)
    online_item = models.BooleanField(default=False)
    max_visits = models.PositiveSmallIntegerField(default=1)
    instant = models.CharField(max_length=10, blank=True)  # InstantDecision outcome
    spot_check = models.CharField(max_length=10, blank=True)
    folded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件汇总"
        indexes = [models.Index(fields=["department", "received_on"])]

    def __str__(self):
        return self.case_number


class CaseCounts(models.Model):
    """What the daily and the monthly case figures count (summed over their CaseFact rows)."""

    cases = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    ever_warned = models.PositiveIntegerField(default=0)
    supervised = models.PositiveIntegerField(default=0)
    used_days = models.PositiveIntegerField(default=0)  # Σ working days used, completed cases
    promised_days = models.PositiveIntegerField(default=0)  # Σ promised limit, the same cases
    full_online = models.PositiveIntegerField(default=0)  # online channel, item needs no visit
    instant_approved = models.PositiveIntegerField(default=0)
    spot_checked = models.PositiveIntegerField(default=0)
    spot_revoked = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyCaseFigure(CaseCounts):
    """Counts of CaseFact per received day, department, item, channel, status and warning: the
    dashboards and the big screen sum these rows (a few thousand per month) instead of the cases."""

    day = models.DateField()
    department = models.ForeignKey("core.Department", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12)
    service_item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=8)
    status = models.CharField(max_length=12)
    warning = models.CharField(max_length=6, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件日汇总"
        indexes = [
            models.Index(fields=["day", "department"]),
            models.Index(fields=["department", "day"]),
        ]

    def __str__(self):
        return f"{self.day} {self.department_id}"


class MonthlyCaseFigure(CaseCounts):
    """DailyCaseFigure rolled up per calendar month and department, once per section's own cut:
    `cut` names the dimension kept (`department` keeps none beyond the department, `status`,
    `channel`, `item` keep that one in `value`). A period's figures sum the whole months here and
    the partial edge months from the daily rows. Kept by supervision.summary with the daily rows."""

    class Cut(models.TextChoices):
        DEPARTMENT = "department", "部门"
        STATUS = "status", "办件状态"
        CHANNEL = "channel", "申报渠道"
        ITEM = "item", "事项"

    cut = models.CharField(max_length=10, choices=Cut.choices)
    month = models.DateField()  # first day of the month
    department = models.ForeignKey("core.Department", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12)
    value = models.CharField(max_length=20, blank=True)  # status, channel or item id
    overdue = models.PositiveIntegerField(default=0)  # cases whose warning is red now
    warned = models.PositiveIntegerField(default=0)  # cases whose warning is yellow now

    class Meta:
        verbose_name = verbose_name_plural = "办件月汇总"
        indexes = [
            models.Index(fields=["cut", "month", "department"]),
            models.Index(fields=["month", "department"]),
        ]

    def __str__(self):
        return f"{self.cut} {self.month:%Y-%m} {self.department_id} {self.value}"


class StepNorm(models.Model):
    """Per item and step: how long that step usually takes (hours, finished steps of the last
    window), the basis of 办件流程智能监测 and of compressing promised limits."""

    service_item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.CASCADE, related_name="+"
    )
    step_name = models.CharField(max_length=60)
    samples = models.PositiveIntegerField()
    median_hours = models.FloatField()
    p90_hours = models.FloatField()
    p95_hours = models.FloatField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "环节用时基准"
        constraints = [
            models.UniqueConstraint(fields=["service_item", "step_name"], name="one_norm_per_step")
        ]

    def __str__(self):
        return f"{self.service_item_id} {self.step_name}"


class Finding(models.Model):
    """A case that needs a supervisor's eye, with the reason (办件流程智能监测)."""

    class Kind(models.TextChoices):
        SLOW_STEP = "slow_step", _("环节用时异常")
        CORRECTIONS = "corrections", _("多次补正")
        BACK_AND_FORTH = "back_forth", _("环节反复退回")
        REVIEWER_RATE = "reviewer_rate", _("审查通过率或退回率异常")
        LONG_SUSPENSION = "suspension", _("暂停计时过长")

    application_id = models.BigIntegerField(db_index=True)
    case_number = models.CharField(max_length=43)
    public_id = models.UUIDField()
    department = models.ForeignKey("core.Department", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12)
    service_item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    reason = models.CharField("原因", max_length=300)
    measure = models.FloatField("数值")
    norm = models.FloatField("基准", null=True)
    found_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(auto_now=True)
    open = models.BooleanField(default=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "监测发现"
        ordering = ["-measure"]
        constraints = [
            models.UniqueConstraint(fields=["application_id", "kind"], name="one_finding_per_kind")
        ]

    def __str__(self):
        return f"{self.case_number} {self.get_kind_display()}"


def new_screen_secret() -> str:
    return secrets.token_urlsafe(32)


class ScreenToken(models.Model):
    """A long-lived, revocable, read-only token that lets the operations centre's big screen show
    the city figures without a login prompt. Only its SHA-256 is kept."""

    name = models.CharField("大屏名称", max_length=60)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField("令牌尾号", max_length=6)
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("签发时间", auto_now_add=True)
    revoked_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "大屏令牌"
        ordering = ["-issued_at"]

    def __str__(self):
        return self.name


class MonthlyReport(models.Model):
    """A month's report for one department or (department empty) for the city: the sealed PDF
    and the same figures as Excel, kept."""

    month = models.DateField("月份")  # first day of the month
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField("文书编号", max_length=100)
    document = models.OneToOneField(
        "seals.IssuedDocument",
        verbose_name="签发文书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pdf = models.FileField(upload_to="supervision/reports/%Y/")
    xlsx = models.FileField(upload_to="supervision/reports/%Y/")
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "月度报告"
        ordering = ["-month", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department"], name="one_report_per_month_department"
            ),
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(department=None),
                name="one_city_report_per_month",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.department or '全市'}"


class DailyRatingFigure(models.Model):
    """好差评 counts per rating day and department, as ratings.stats counts them (initial ratings,
    not voided): the dashboards sum these rows instead of the ratings. Kept by
    supervision.rating_summary from new ratings and the bad-rating history."""

    day = models.DateField()
    department = models.ForeignKey("core.Department", on_delete=models.CASCADE, related_name="+")
    total = models.PositiveIntegerField(default=0)
    good = models.PositiveIntegerField(default=0)
    bad = models.PositiveIntegerField(default=0)
    rectified = models.PositiveIntegerField(default=0)
    real_name_bad = models.PositiveIntegerField(default=0)
    called_back = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "好差评日汇总"
        constraints = [
            models.UniqueConstraint(fields=["day", "department"], name="rating_figure_day_dept")
        ]

    def __str__(self):
        return f"{self.day} {self.department_id}: {self.total}"


class DailyExchangeFigure(models.Model):
    """数据共享 calls per call day, resource and consumer, as exchange.statistics.daily counts them
    (calls, denials, failures, the day's p95 latency): the dashboards read these rows instead of
    every call of the period. Kept by supervision.exchange_summary from the append-only call log."""

    day = models.DateField(db_index=True)
    resource_code = models.CharField(max_length=40)
    consumer_code = models.CharField(max_length=40)
    calls = models.PositiveIntegerField(default=0)
    denied = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    p95_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "数据共享日汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "resource_code", "consumer_code"], name="exchange_figure_day"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.resource_code} {self.consumer_code}: {self.calls}"


class DailyHallFigure(models.Model):
    """政务大厅 tickets per day and hall: how many, and the exact sums and the counts of the
    waiting and service minutes known (each ticket's minutes as hall.monitor rounds them), so that
    the dashboards average a few rows per day instead of reading every ticket of the period. A sum
    is kept as the decimal text of Σ minutes × 2⁶⁰, an integer for every minute count rounded to
    0.1 (too large for a 64-bit column): the average is then exactly hall.monitor's. Kept by
    supervision.hall_summary from new tickets and the append-only ticket history."""

    day = models.DateField()
    hall = models.ForeignKey("core.ServiceHall", on_delete=models.CASCADE, related_name="+")
    tickets = models.PositiveIntegerField(default=0)
    waiting_sum = models.CharField(max_length=40, default="0")
    waiting_count = models.PositiveIntegerField(default=0)
    service_sum = models.CharField(max_length=40, default="0")
    service_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "政务大厅日汇总"
        constraints = [models.UniqueConstraint(fields=["day", "hall"], name="hall_figure_day")]

    def __str__(self):
        return f"{self.day} {self.hall_id}: {self.tickets}"


class DailyServiceFigure(models.Model):
    """Per day, source and group, the counts of the 12345 work orders (by department and top
    category: orders, replied, replied on time, rated, satisfied), the 免申即享 policies (by
    policy: matched, paid lines and amount) and the 一件事 bundles (by bundle: applied, completed,
    materials and visits saved). Their rows change after the day they are counted on (a reply, a
    reconciliation, a completion), so supervision.service_summary counts a day again whole when
    anything of it changed; the dashboards read these rows instead of the domains' tables."""

    class Source(models.TextChoices):
        WORKORDERS = "workorders", "12345 工单"
        POLICIES = "policies", "免申即享"
        BUNDLES = "bundles", "一件事"

    source = models.CharField(max_length=12, choices=Source.choices)
    day = models.DateField()
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "工单、政策与一件事日汇总"
        indexes = [models.Index(fields=["source", "day"])]

    def __str__(self):
        return f"{self.day} {self.source} {self.name}"
