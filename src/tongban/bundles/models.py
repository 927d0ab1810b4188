"""一件事 (bundles): several service items of several departments behind one guide, one form and one
joint result.

Type versus instance, as in the catalogue: a `Bundle` has `BundleVersion`s (draft → published →
superseded/withdrawn); a `BundleApplication` pins the version it was made under and has one
`MemberApplication` per chosen item, each pointing at an ordinary 办件 (applications.Application)
with its own case number, department and review process.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.bundles.states import BundleStatus, MemberState, VersionStatus


class Bundle(models.Model):
    code = models.SlugField("一件事标识", max_length=40, unique=True)
    current_version = models.ForeignKey(
        "BundleVersion",
        verbose_name="当前发布版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self):
        version = self.current_version
        return version.name if version else self.code


class BundleVersion(models.Model):
    class Theme(models.TextChoices):
        PERSON = "person", _("个人一件事")
        ENTERPRISE = "enterprise", _("企业一件事")

    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "状态", max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    name = models.CharField("名称", max_length=100)
    theme = models.CharField("主题", max_length=12, choices=Theme.choices)
    description = models.TextField("简介", blank=True)
    lead_department = models.ForeignKey(
        "core.Department",
        verbose_name="牵头部门",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="签发一件事联合办结通知书的部门",
    )
    promised_days = models.PositiveIntegerField(
        "承诺办结时限（工作日）",
        null=True,
        blank=True,
        help_text="发布时由各成员事项的承诺时限和先后顺序推算（最长路径）",
    )
    sum_of_limits = models.PositiveIntegerField(
        "成员事项承诺时限之和（工作日）", null=True, blank=True
    )
    change_note = models.CharField("变更说明", max_length=200, blank=True)
    withdrawn_reason = models.CharField("停用原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "一件事版本"
        ordering = ["bundle_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "version"], name="bundle_unique_version"),
            models.UniqueConstraint(
                fields=["bundle"], condition=Q(status="draft"), name="bundle_one_draft"
            ),
            models.UniqueConstraint(
                fields=["bundle"], condition=Q(status="published"), name="bundle_one_published"
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def service_object(self) -> str:
        return "1" if self.theme == self.Theme.PERSON else "2"


class BundleVersionChange(models.Model):
    """Append-only history of a version's status (states.VERSION)."""

    version = models.ForeignKey(BundleVersion, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事版本状态变更"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class BundleMember(models.Model):
    """One service item of the bundle, named by its 实施编码 (the item keeps its own versions)."""

    version = models.ForeignKey(BundleVersion, on_delete=models.CASCADE, related_name="members")
    implementation_code = models.CharField("实施编码", max_length=31)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    required = models.BooleanField(
        "必办", default=True, help_text="不勾选：由情形问题的回答决定是否办理"
    )
    prerequisite = models.ForeignKey(
        "self",
        verbose_name="前置事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependents",
        help_text="前置事项办结后本事项自动启动，并使用其电子证照（免证可办）",
    )
    situation_answers = models.JSONField(
        "本事项情形",
        default=dict,
        blank=True,
        help_text='成员事项自身情形问题的固定回答：{"问题": "选项"}',
    )

    class Meta:
        verbose_name = verbose_name_plural = "一件事成员事项"
        ordering = ["version_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "implementation_code"], name="bundle_member_once"
            )
        ]

    def __str__(self):
        return self.implementation_code


class BundleQuestion(models.Model):
    version = models.ForeignKey(BundleVersion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    text = models.CharField("问题", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "一件事情形问题"
        ordering = ["version_id", "position", "id"]

    def __str__(self):
        return self.text


class BundleOption(models.Model):
    question = models.ForeignKey(BundleQuestion, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    text = models.CharField("选项", max_length=200)
    members = models.ManyToManyField(
        BundleMember, verbose_name="选择后办理的事项", blank=True, related_name="options"
    )

    class Meta:
        verbose_name = verbose_name_plural = "一件事情形选项"
        ordering = ["question_id", "position", "id"]

    def __str__(self):
        return self.text


class BundleApplication(models.Model):
    public_id = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("一件事编号", max_length=24, unique=True, null=True, blank=True)
    version = models.ForeignKey(
        BundleVersion, verbose_name="一件事版本", on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="bundle_applications"
    )
    enterprise = models.ForeignKey(
        "accounts.EnterpriseProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField("申报渠道", max_length=8)
    answers = models.JSONField("情形选择", default=dict, blank=True)
    status = models.CharField(
        "状态",
        max_length=12,
        choices=BundleStatus.choices,
        default=BundleStatus.SUBMITTED,
        db_index=True,
    )
    licence_consent = models.BooleanField(
        "同意使用前置事项的电子证照", default=False, help_text="前置事项办结后免提交其证照"
    )
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)
    accepted_on = models.DateField("首个事项受理日期", null=True, blank=True)
    due_date = models.DateField("联合承诺办结日期", null=True, blank=True)
    warning = models.CharField("预警", max_length=6, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    working_days_used = models.PositiveIntegerField("用时（工作日）", null=True, blank=True)
    materials_asked = models.PositiveSmallIntegerField("一次告知的材料数", default=0)
    materials_separately = models.PositiveSmallIntegerField("分别办理需交材料数", default=0)
    visits_separately = models.PositiveSmallIntegerField("分别办理最多跑动次数", default=0)
    result_document = models.OneToOneField(
        "seals.IssuedDocument",
        verbose_name="联合办结通知书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "一件事申请"
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["owner", "-submitted_at"])]

    def __str__(self):
        return self.number or str(self.public_id)[:8]


class BundleStatusChange(models.Model):
    """Append-only; BundleApplication.status points at the latest row."""

    bundle_application = models.ForeignKey(
        BundleApplication, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事状态变更"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class MemberApplication(models.Model):
    State = MemberState

    bundle_application = models.ForeignKey(
        BundleApplication, on_delete=models.CASCADE, related_name="members"
    )
    member = models.ForeignKey(BundleMember, on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="bundle_membership"
    )
    state = models.CharField("启动状态", max_length=10, choices=State.choices)
    started_at = models.DateTimeField("启动时间", null=True, blank=True)
    start_error = models.CharField("自动启动失败原因", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事成员办件"
        ordering = ["bundle_application_id", "member__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bundle_application", "member"], name="bundle_member_application_once"
            )
        ]

    def __str__(self):
        return f"{self.bundle_application} · {self.member}"


class BundleEvent(models.Model):
    """A bundle-level step on the applicant's joint timeline (the members' own steps come from
    their 办件 timelines)."""

    bundle_application = models.ForeignKey(
        BundleApplication, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField("环节", max_length=60)
    opinion = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事时间线"
        ordering = ["at", "id"]

    def __str__(self):
        return self.action


class BundleWarning(models.Model):
    """A yellow/red warning of a bundle's joint deadline, recorded and announced once per level."""

    bundle_application = models.ForeignKey(
        BundleApplication, on_delete=models.CASCADE, related_name="warnings"
    )
    level = models.CharField(max_length=6)
    days_left = models.IntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事期限预警"
        constraints = [
            models.UniqueConstraint(
                fields=["bundle_application", "level"], name="bundle_warning_once"
            )
        ]

    def __str__(self):
        return f"{self.bundle_application} {self.level}"
