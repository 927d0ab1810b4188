"""Rule sets, their versions and test cases, the data elements rules read, and recorded decisions.

Type versus instance, versioned (ARCHITECTURE pattern 1): a rule set has versions (draft →
published → withdrawn) with effective dates; every decision records the exact version it used.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.rules import grammar


class DataElement(models.Model):
    """A datum a rule may read: a form field (`form.…`) or an item of a shared-data resource
    (`<resource>.<item>`, e.g. `population.birth_date`)."""

    class Source(models.TextChoices):
        FORM = "form", _("申请表")
        EXCHANGE = "exchange", _("共享数据")

    name = models.CharField(_("数据项"), max_length=80, unique=True)
    label = models.CharField(_("名称"), max_length=100)
    type = models.CharField(
        _("类型"), max_length=10, choices=[(k, v) for k, v in grammar.TYPES.items()]
    )
    item_type = models.CharField(
        _("列表中值的类型"),
        max_length=10,
        default=grammar.STRING,
        choices=[(grammar.STRING, "文本"), (grammar.NUMBER, "数值")],
    )
    codes = models.JSONField(_("代码表取值"), default=list, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    resource_code = models.CharField(_("共享资源代码"), max_length=60, blank=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("规则数据项")
        verbose_name_plural = _("规则数据项")
        ordering = ["name"]

    def __str__(self):
        return f"{self.label}（{self.name}）"

    def as_element(self) -> grammar.Element:
        return grammar.Element(
            self.name, self.type, self.label, tuple(self.codes or ()), self.item_type
        )


class RuleSet(models.Model):
    code = models.CharField(_("规则集编码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="rule_sets"
    )
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("规则集")
        verbose_name_plural = _("规则集")
        ordering = ["code"]

    def __str__(self):
        return self.name


class RuleSetVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已废止")

    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    definition = models.JSONField(_("规则定义"))
    change_note = models.CharField(_("修改说明"), max_length=500, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("规则集版本")
        verbose_name_plural = _("规则集版本")
        ordering = ["rule_set", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "number"], name="rules_version_unique"),
            models.UniqueConstraint(
                fields=["rule_set"],
                condition=models.Q(status="draft"),
                name="rules_one_draft_per_set",
            ),
        ]

    def __str__(self):
        return f"{self.rule_set.name} 第{self.number}版（{self.get_status_display()}）"


class RuleSetVersionEvent(models.Model):
    """Append-only history of a version's status."""

    version = models.ForeignKey(RuleSetVersion, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("规则版本状态记录")
        verbose_name_plural = _("规则版本状态记录")
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class RuleTestCase(models.Model):
    """An input and the outcome it must give: all must pass before a version is published."""

    class Expected(models.TextChoices):
        PASS = "pass", _("符合")
        FAIL = "fail", _("不符合")
        UNKNOWN = "unknown", _("无法判断")

    version = models.ForeignKey(RuleSetVersion, on_delete=models.CASCADE, related_name="tests")
    name = models.CharField(_("用例名称"), max_length=200)
    facts = models.JSONField(_("输入数据"), default=dict)
    as_of = models.DateField(_("基准日"))
    expected = models.CharField(_("预期结果"), max_length=10, choices=Expected.choices)
    expected_clause = models.CharField(_("预期不符合的条款"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("规则测试用例")
        verbose_name_plural = _("规则测试用例")
        ordering = ["id"]

    def __str__(self):
        return self.name


class RuleDecision(models.Model):
    """One evaluation that decided something (an instant approval, a routing to manual handling):
    the version used, the outcome and the full trace, kept as the review report's source."""

    version = models.ForeignKey(RuleSetVersion, on_delete=models.PROTECT, related_name="decisions")
    subject_type = models.CharField(max_length=40)
    subject_ref = models.CharField(max_length=64, db_index=True)
    as_of = models.DateField()
    outcome = models.CharField(max_length=10)
    blocking_clause = models.CharField(max_length=40, blank=True)
    trace = models.JSONField()
    evaluated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("规则判定记录")
        verbose_name_plural = _("规则判定记录")
        ordering = ["-evaluated_at"]

    def __str__(self):
        return f"{self.subject_ref}：{self.outcome}"
