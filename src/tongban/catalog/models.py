"""The service-item catalogue (GB/T 39046 Table 4): 基本目录 items, implementation items with
append-only versions, their 业务办理项, materials and situation questions.

Only catalog.actions writes these rows. A published version is never edited: editing an item
creates a new draft version that copies the published one.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tongban.catalog import codes
from tongban.core.models import Department, Office, Region, ServiceHall
from tongban.identity import realname
from tongban.ocr import kinds as ocr_kinds


class BasicItem(models.Model):
    """A national/provincial 基本目录 item; the source of the locked (inherited) elements."""

    basic_code = models.CharField(_("基本编码"), max_length=12, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=codes.ItemType.choices)
    legal_basis = models.TextField(_("设定依据"))
    exercise_content = models.TextField(_("行使内容"), blank=True)
    authority_division = models.TextField(_("权限划分"), blank=True)
    service_object = models.CharField(
        _("服务对象"), max_length=20, help_text=_("表A.4代码，多个以英文逗号分隔，例如 1,2")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("基本目录事项")
        ordering = ["basic_code"]

    def __str__(self):
        return f"{self.name}（{self.basic_code}）"


class ServiceItem(models.Model):
    """An implementation-list (实施清单) item: one 基本目录 item as implemented by one department."""

    basic_item = models.ForeignKey(
        BasicItem, verbose_name=_("基本目录事项"), on_delete=models.PROTECT, related_name="items"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("实施主体"),
        on_delete=models.PROTECT,
        related_name="service_items",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("实施区划"), on_delete=models.PROTECT, related_name="service_items"
    )
    exercise_level = models.PositiveSmallIntegerField(
        _("行使层级"), choices=Department.ExerciseLevel.choices
    )
    implementation_code = models.CharField(_("实施编码"), max_length=31, unique=True)
    current_version = models.ForeignKey(
        "ItemVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    view_count = models.PositiveIntegerField(_("浏览次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("实施清单事项")
        ordering = ["implementation_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["basic_item", "department"], name="serviceitem_one_per_department"
            )
        ]
        indexes = [models.Index(fields=["-view_count"])]

    def __str__(self):
        return f"{self.basic_item.name}（{self.department}）"


# The element "required real-name level" (identity's levels; 0: no requirement).
REALNAME_LEVELS = [
    (0, _("不要求")),
    *(
        (n, format_lazy(_("{level}级（{name}）"), level=n, name=realname.LEVELS[n]))
        for n in (1, 2, 3)
    ),
]


class ItemVersion(models.Model):
    """One version of an implementation item with every element a citizen needs."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被新版本替代")
        WITHDRAWN = "withdrawn", _("已停用")

    # Elements copied to a new draft and compared in the version history.
    ELEMENT_FIELDS = [
        "name",
        "item_type",
        "legal_basis",
        "exercise_content",
        "authority_division",
        "implementer_nature",
        "service_object",
        "keywords",
        "legal_limit",
        "legal_limit_unit",
        "legal_limit_note",
        "promised_limit",
        "promised_limit_unit",
        "promised_limit_note",
        "acceptance_conditions",
        "process",
        "joint_departments",
        "handling_office",
        "intermediary_service",
        "quantity_limit",
        "result_name",
        "result_sample",
        "charges_fee",
        "fee_basis",
        "fee_standard",
        "scope",
        "person_themes",
        "enterprise_themes",
        "handling_forms",
        "handling_type",
        "special_procedures",
        "jurisdiction",
        "supports_appointment",
        "online_payment",
        "express_delivery",
        "is_online",
        "online_url",
        "max_visits",
        "required_realname_level",
        "place_note",
        "office_hours",
        "consult_phone",
        "supervision_phone",
        "faq",
    ]

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    change_note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("停用或替代时间"), null=True, blank=True)

    # identity and legal basis
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=codes.ItemType.choices)
    legal_basis = models.TextField(_("设定依据"))
    exercise_content = models.TextField(_("行使内容"), blank=True)
    authority_division = models.TextField(_("权限划分"), blank=True)
    # GB/T 39046 Table 4 / A.3: the body's standing for this item (a 受委托组织 may act for one
    # item while being a 法定机关 for its own); a new item starts from the department's nature.
    implementer_nature = models.PositiveSmallIntegerField(
        _("实施主体性质"), choices=Department.Nature.choices, default=Department.Nature.STATUTORY
    )
    service_object = models.CharField(_("服务对象"), max_length=20)
    keywords = models.CharField(
        _("检索关键词"), max_length=200, blank=True, help_text=_("俗称、别名，空格分隔")
    )
    # time limits
    legal_limit = models.PositiveIntegerField(_("法定办结时限"), null=True, blank=True)
    legal_limit_unit = models.CharField(
        _("法定办结时限单位"), max_length=1, choices=codes.LimitUnit.choices, default="W"
    )
    legal_limit_note = models.CharField(_("法定办结时限说明"), max_length=300, blank=True)
    promised_limit = models.PositiveIntegerField(_("承诺办结时限"), null=True, blank=True)
    promised_limit_unit = models.CharField(
        _("承诺办结时限单位"), max_length=1, choices=codes.LimitUnit.choices, default="W"
    )
    promised_limit_note = models.CharField(_("承诺办结时限说明"), max_length=300, blank=True)
    # process
    acceptance_conditions = models.TextField(_("受理条件"), blank=True)
    process = models.TextField(_("办理流程"), blank=True, help_text=_("每行一个环节"))
    joint_departments = models.CharField(_("共同实施部门"), max_length=300, blank=True)
    handling_office = models.ForeignKey(
        Office,
        verbose_name=_("承办机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    intermediary_service = models.CharField(_("中介服务"), max_length=300, blank=True)
    quantity_limit = models.CharField(_("数量限制"), max_length=300, blank=True)
    # result and fees
    result_name = models.CharField(_("结果名称"), max_length=200, blank=True)
    result_sample = models.CharField(_("结果样本说明"), max_length=300, blank=True)
    charges_fee = models.BooleanField(_("是否收费"), default=False)
    fee_basis = models.TextField(_("收费依据"), blank=True)
    fee_standard = models.CharField(_("收费标准"), max_length=300, blank=True)
    # reach
    scope = models.CharField(
        _("通办范围"), max_length=10, choices=codes.Scope.choices, default="", blank=True
    )
    person_themes = models.CharField(_("自然人服务主题"), max_length=100, blank=True)
    enterprise_themes = models.CharField(_("法人服务主题"), max_length=100, blank=True)
    # handling
    handling_forms = models.CharField(
        _("办理形式"), max_length=20, help_text=_("表A.5代码，逗号分隔")
    )
    handling_type = models.CharField(
        _("办件类型"), max_length=1, choices=codes.HandlingType.choices, default="2"
    )
    special_procedures = models.TextField(_("特别程序"), blank=True)
    jurisdiction = models.CharField(_("行政管辖"), max_length=300, blank=True)
    # online flags
    supports_appointment = models.BooleanField(_("是否支持预约办理"), default=False)
    online_payment = models.BooleanField(_("是否支持网上支付"), default=False)
    express_delivery = models.BooleanField(_("是否支持物流快递"), default=False)
    is_online = models.BooleanField(_("是否网办"), default=False)
    online_url = models.CharField(_("网办地址"), max_length=300, blank=True)
    max_visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=1)
    # How sure the platform must be of who applies online (identity's real-name levels, 0–3).
    required_realname_level = models.PositiveSmallIntegerField(
        _("网上申请所需实名认证等级"),
        choices=REALNAME_LEVELS,
        default=0,
        help_text=_("申请人以个人账户在网上提交申请前须达到的等级；窗口办理当面核验身份，不受此限"),
    )
    # place and contact
    halls = models.ManyToManyField(
        ServiceHall, verbose_name=_("办理地点"), blank=True, related_name="+"
    )
    place_note = models.CharField(_("办理地点说明"), max_length=300, blank=True)
    office_hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    consult_phone = models.CharField(_("咨询电话"), max_length=100, blank=True)
    supervision_phone = models.CharField(_("监督电话"), max_length=100, blank=True)
    faq = models.JSONField(
        _("常见问题"), default=list, blank=True, help_text='[{"q": "...", "a": "..."}]'
    )

    class Meta:
        verbose_name = verbose_name_plural = _("事项版本")
        ordering = ["item_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="itemversion_unique_number"),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="draft"), name="itemversion_one_draft"
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="published"),
                name="itemversion_one_published",
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.number}（{self.get_status_display()}）"

    def save(self, *args, **kwargs):
        # Published history is immutable: only status bookkeeping may change after drafting.
        if self.pk and not self._state.adding:
            stored = ItemVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            allowed = {"status", "ended_at", "valid_to", "published_at", "published_by"}
            fields = kwargs.get("update_fields")
            if stored and stored != self.Status.DRAFT and (fields is None or set(fields) - allowed):
                raise ValidationError({"status": [_("已发布的版本不能修改，请新建草稿版本")]})
        super().save(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def process_steps(self) -> list[str]:
        return [line.strip() for line in self.process.splitlines() if line.strip()]

    def handling_form_labels(self) -> list[str]:
        return [codes.HandlingForm(c).label for c in codes.split_codes(self.handling_forms)]

    def service_object_labels(self) -> list[str]:
        return [codes.ServiceObject(c).label for c in codes.split_codes(self.service_object)]

    def theme_labels(self) -> list[str]:
        labels = [codes.PersonTheme(c).label for c in codes.split_codes(self.person_themes)]
        return labels + [
            codes.EnterpriseTheme(c).label for c in codes.split_codes(self.enterprise_themes)
        ]


class HandlingItem(models.Model):
    """业务办理项: a situation of the item (新设/变更/延续/注销 …), coded 实施编码 + 2 digits."""

    version = models.ForeignKey(
        ItemVersion,
        verbose_name=_("事项版本"),
        on_delete=models.CASCADE,
        related_name="handling_items",
    )
    serial = models.CharField(_("序号"), max_length=2)
    name = models.CharField(_("业务办理项名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("业务办理项")
        ordering = ["version_id", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["version", "serial"], name="handlingitem_unique_serial")
        ]

    def __str__(self):
        return self.name

    def code_for(self, item: ServiceItem) -> str:
        return f"{item.implementation_code}{self.serial}"


class Material(models.Model):
    """A material (申请材料) of a version; limited to some 业务办理项 when `handling_items` is set, and
    conditional on an answer when a situation option lists it."""

    version = models.ForeignKey(
        ItemVersion, verbose_name=_("事项版本"), on_delete=models.CASCADE, related_name="materials"
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    issuer = models.CharField(_("出具机构"), max_length=200, blank=True)
    issue_time_requirement = models.CharField(
        _("出具时间要求"), max_length=200, blank=True, help_text=_("例如：申请前3个月内出具")
    )
    original_count = models.PositiveSmallIntegerField(_("原件份数"), default=0)
    copy_count = models.PositiveSmallIntegerField(_("复印件份数"), default=0)
    required = models.BooleanField(_("是否必备"), default=True)
    notes = models.TextField(_("填报须知"), blank=True)
    blank_form = models.FileField(_("空白表格"), upload_to="catalog/forms/", blank=True)
    sample = models.FileField(_("示例样表"), upload_to="catalog/samples/", blank=True)
    allows_deficiency = models.BooleanField(_("是否容缺"), default=False)
    commitment_replaceable = models.BooleanField(_("可告知承诺替代"), default=False)
    replaceable_by_licence_type = models.CharField(
        _("可由电子证照替代（证照类型）"),
        max_length=100,
        blank=True,
        help_text=_("证照类型名称或代码，例如 居民身份证；证照目录上线后改为关联"),
    )
    document_kind = models.CharField(
        _("可识别的证件种类"),
        max_length=30,
        choices=ocr_kinds.choices(),
        blank=True,
        help_text=_("上传或扫描该材料后自动识别其内容，预填表单（智能免填）"),
    )
    handling_items = models.ManyToManyField(
        HandlingItem, verbose_name=_("适用业务办理项"), blank=True, related_name="materials"
    )

    class Meta:
        verbose_name = verbose_name_plural = _("申请材料")
        ordering = ["version_id", "order", "id"]

    def __str__(self):
        return self.name


class SituationQuestion(models.Model):
    version = models.ForeignKey(
        ItemVersion, verbose_name=_("事项版本"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    text = models.CharField(_("问题"), max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = _("情形问题")
        ordering = ["version_id", "order", "id"]

    def __str__(self):
        return self.text


class SituationOption(models.Model):
    """An answer: it may select a 业务办理项 and may add materials needed only in that situation."""

    question = models.ForeignKey(
        SituationQuestion, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="options"
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    text = models.CharField(_("选项"), max_length=100)
    handling_item = models.ForeignKey(
        HandlingItem,
        verbose_name=_("选中业务办理项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    materials = models.ManyToManyField(
        Material, verbose_name=_("需增加的材料"), blank=True, related_name="options"
    )

    class Meta:
        verbose_name = verbose_name_plural = _("情形选项")
        ordering = ["question_id", "order", "id"]

    def __str__(self):
        return self.text


class ImportBatch(models.Model):
    """An uploaded catalogue workbook: validated first, applied only on confirmation."""

    class Status(models.TextChoices):
        VALIDATED = "validated", _("已校验待确认")
        APPLYING = "applying", _("正在导入")
        FAILED = "failed", _("导入失败，未做任何修改")
        APPLIED = "applied", _("已导入")

    file = models.FileField(_("文件"), upload_to="catalog/imports/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    good_rows = models.PositiveIntegerField(_("有效行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("事项导入批次")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"
