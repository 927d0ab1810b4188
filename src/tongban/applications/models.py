"""Online applications (办件 before acceptance): forms as data, drafts, materials, submission.

An application pins the exact catalogue version and form version it was made under, so what the
applicant saw stays true whatever the catalogue does later. It carries one reference: a draft has a
public id; at submission it receives the national case number (实施编码 + YYYYMMDD + 4 digits).
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.applications.states import CommitmentState, FormStatus, Status, StepState
from tongban.core import pii
from tongban.core.fields import EncryptedTextField
from tongban.core.identifiers import IdType, id_blind_index


class ApplicationForm(models.Model):
    """The application form of an item, as data: a JSON Schema for the values and a layout with
    sections (one page each), field order, help text and conditions. Versioned like the catalogue:
    a published form is never edited; a change is a new version."""

    Status = FormStatus  # the moves: applications.states.FORM

    service_item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name="事项", on_delete=models.PROTECT, related_name="forms"
    )
    version = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    schema = models.JSONField("数据结构（JSON Schema）")
    layout = models.JSONField(
        "页面布局", help_text='{"sections": [{"title": "…", "fields": ["…"]}]}'
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请表单"
        ordering = ["service_item_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["service_item", "version"], name="form_unique_version"),
            models.UniqueConstraint(
                fields=["service_item"],
                condition=models.Q(status="published"),
                name="form_one_published",
            ),
        ]

    def __str__(self):
        return f"{self.service_item} 表单 v{self.version}"

    @property
    def sections(self) -> list[dict]:
        return self.layout.get("sections", [])


def pinned_guide_texts(relation: str = "item_version") -> list[str]:
    """The pinned version's long guide texts (legal basis, conditions, process…), for `.defer()`:
    pages and responses about an application show the item's name, never its guide. `relation`
    names another version reached from the application, such as the item's current one."""
    from tongban.catalog.models import ItemVersion

    return [
        f"{relation}__{f.name}"
        for f in ItemVersion._meta.concrete_fields
        if isinstance(f, models.TextField)
    ]


class Application(models.Model):
    class Channel(models.TextChoices):
        PC = "pc", _("PC端")
        MOBILE = "mobile", _("移动端")
        WINDOW = "window", _("窗口代办")
        KIOSK = "kiosk", _("自助终端")
        API = "api", _("接口")

    class ApplicantKind(models.TextChoices):
        PERSON = "person", "自然人"
        ENTERPRISE = "enterprise", "法人"

    public_id = models.UUIDField("草稿编号", default=uuid.uuid4, unique=True, editable=False)
    case_number = models.CharField("办件编号", max_length=43, unique=True, null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="事项",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    item_version = models.ForeignKey(
        "catalog.ItemVersion",
        verbose_name="事项版本",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    handling_item = models.ForeignKey(
        "catalog.HandlingItem",
        verbose_name="业务办理项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    form = models.ForeignKey(
        ApplicationForm,
        verbose_name="表单版本",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    situation_answers = models.JSONField("情形选择", default=dict, blank=True)
    data = models.JSONField("表单数据", default=dict, blank=True)
    current_section = models.PositiveSmallIntegerField("当前页", default=0)

    # Who: the account that owns the application (and sees it in 我的办件) …
    owner = models.ForeignKey(
        "accounts.User",
        verbose_name="申请账户",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant_kind = models.CharField("申请人类型", max_length=10, choices=ApplicantKind.choices)
    enterprise = models.ForeignKey(
        "accounts.EnterpriseProfile",
        verbose_name="申请企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    agent_authorisation = models.ForeignKey(
        "accounts.AgentAuthorisation",
        verbose_name="经办授权",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    entrusted = models.BooleanField(
        "受托代办", default=False, help_text="自然人受他人委托办理，申请人为委托人"
    )
    window_staff = models.ForeignKey(
        "accounts.User",
        verbose_name="窗口代办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField("申报渠道", max_length=8, choices=Channel.choices)

    # … and the applicant as recorded on the application (a snapshot; personal data encrypted).
    applicant_name = models.CharField("申请人名称", max_length=200, blank=True)
    applicant_id_type = models.CharField(
        "申请人证件类型",
        max_length=3,
        blank=True,
        help_text="111 公民身份号码，001 统一社会信用代码",
    )
    applicant_id_number = EncryptedTextField("申请人证件号码", blank=True)
    applicant_id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    contact_phone = EncryptedTextField("联系电话", blank=True)
    contact_phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    # A digest of the request that used the key: a retry must send the same body.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, db_index=True)
    received_at = models.DateTimeField(
        "最近收件时间",
        null=True,
        blank=True,
        help_text="首次提交或补正后重新提交的时间；受理期限从此起算",
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请"
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "status", "-updated_at"])]

    def __str__(self):
        return self.case_number or f"草稿 {str(self.public_id)[:8]}"

    @property
    def reference(self) -> str:
        """What people see as the application's number: the case number once submitted; a draft
        has none yet, and a fragment of its internal id means nothing to anyone."""
        if self.case_number:
            return self.case_number
        return str(_("草稿（未提交）"))

    @property
    def title(self) -> str:
        """The item's name with the 业务办理项 chosen, without saying the name twice when the
        办理项's own name already contains it (公共场所卫生许可（新设）)."""
        name = self.item_version.name
        handling = self.handling_item.name if self.handling_item_id else ""
        if not handling or handling == name:
            return name
        return handling if name in handling else f"{name}（{handling}）"

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def masked_applicant_id(self) -> str:
        if self.applicant_id_type == IdType.USCC:
            return self.applicant_id_number
        return pii.mask_id_number(self.applicant_id_number) if self.applicant_id_number else ""

    @property
    def masked_contact_phone(self) -> str:
        return pii.mask_phone(self.contact_phone) if self.contact_phone else ""

    def set_applicant_identity(
        self, *, name: str, id_type: str, id_number: str, phone: str
    ) -> None:
        self.applicant_name, self.applicant_id_type = name, id_type
        self.applicant_id_number = pii.normalise(id_number)
        self.applicant_id_index = (
            id_blind_index(id_type, id_number) if id_type == IdType.CITIZEN_ID else ""
        )
        self.contact_phone = pii.normalise(phone)
        self.contact_phone_index = pii.blind_index(phone, "phone") if phone else ""


class StatusChange(models.Model):
    """Append-only status history; Application.status is the pointer to the latest row."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField("原状态", max_length=20)
    to_status = models.CharField("新状态", max_length=20)
    at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "状态变更"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class TimelineEvent(models.Model):
    """A step in the case's history. Public ones make the applicant's timeline (time, department,
    action, the opinion meant for the applicant); others are for staff only."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("环节", max_length=60)
    opinion = models.TextField("意见（对申请人）", blank=True)
    is_public = models.BooleanField("对申请人公开", default=True)
    actor_label = models.CharField("办理人", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件时间线"
        ordering = ["at", "id"]

    def __str__(self):
        return self.action


def public_timeline(application: Application):
    """The timeline the applicant sees (case page, progress query, API): when, which department,
    what, and the opinion meant for them; only those columns, as these are the most read rows."""
    return (
        application.events.filter(is_public=True)
        .select_related("department")
        # The owner's key too: the related manager sets it on every row it reads.
        .only("application", "at", "action", "opinion", "department__name")
    )


class UploadedFile(models.Model):
    """One file given for a material slot. Checked by content, stored outside the web root under a
    random name; `original_name` is sanitised and only ever shown, never used as a path."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    material = models.ForeignKey(
        "catalog.Material", verbose_name="材料", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("文件", upload_to="materials/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=120)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    pages = models.PositiveSmallIntegerField("页数", default=1)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    # 材料识别: the material names a document kind, so the upload is read to prefill the form.
    recognition = models.OneToOneField(
        "ocr.Recognition",
        verbose_name="材料识别",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="upload",
    )

    class Meta:
        verbose_name = verbose_name_plural = "申请材料文件"
        ordering = ["material_id", "uploaded_at"]

    def __str__(self):
        return self.original_name


class ReplacedFile(models.Model):
    """A material file that a later upload replaced (重新上传). History, append-only: the stored file
    stays where it was, the row that made it current is gone, so no page or count of the current
    materials shows it; staff and the audit trail can still see what was replaced, when and by whom."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="replaced_files"
    )
    material = models.ForeignKey(
        "catalog.Material", verbose_name="材料", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("文件", upload_to="materials/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=120)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    pages = models.PositiveSmallIntegerField("页数", default=1)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    replaced_at = models.DateTimeField("替换时间", auto_now_add=True)
    replaced_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    # The file that took its place, by content (that one may be replaced in turn).
    replacement_sha256 = models.CharField("替换为（SHA-256）", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "被替换的材料文件"
        ordering = ["material_id", "replaced_at"]

    def __str__(self):
        return self.original_name


class MaterialCommitment(models.Model):
    """A material the applicant does not hand in now, under a signed commitment.

    告知承诺: the commitment replaces the proof for good; the case is checked afterwards and a
    false commitment leads to revocation and a credit record. 容缺受理: a secondary material is
    supplied after acceptance by `supply_by` (never past the promised due date); a miss ends the
    case (补交逾期办结). `statement` is the exact text the applicant agreed to.
    """

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("告知承诺")
        DEFERRED = "deferred", _("容缺后补")

    State = CommitmentState  # the moves: applications.states.COMMITMENT

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="commitments"
    )
    material = models.ForeignKey(
        "catalog.Material", verbose_name="材料", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("方式", max_length=10, choices=Kind.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.SIGNED)
    statement = models.TextField("承诺内容")
    signed_at = models.DateTimeField("承诺时间", auto_now_add=True)
    signed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    supply_by = models.DateField("补交期限", null=True, blank=True)
    reminded_on = models.DateField("最近提醒日期", null=True, blank=True)
    closed_at = models.DateTimeField("补交或核查时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    check_note = models.TextField("核查意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "告知承诺与容缺"
        ordering = ["application_id", "material_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "material"], name="commitment_one_per_material"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.material}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.SIGNED


class CaseNumberCounter(models.Model):
    """Next serial per 实施编码 and day; locked while a number is taken (unique, gap-tolerant)."""

    implementation_code = models.CharField(max_length=31)
    day = models.DateField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "办件编号计数"
        constraints = [
            models.UniqueConstraint(
                fields=["implementation_code", "day"], name="casenumber_counter_unique"
            )
        ]

    def __str__(self):
        return f"{self.implementation_code} {self.day} #{self.last_serial}"


class PipelineStep(models.Model):
    """Post-submission work that may fail (receipt PDF, notifications): persisted, retried on a
    schedule, resendable by an administrator. A step runs at most once successfully."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "生成申请回执"
        NOTIFY = "notify", "通知申请人"

    State = StepState  # the moves: applications.states.PIPELINE_STEP

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pipeline")
    kind = models.CharField("步骤", max_length=10, choices=Kind.choices)
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True, db_index=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "提交后处理步骤"
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="pipeline_unique_step")
        ]

    def __str__(self):
        return f"{self.application} {self.get_kind_display()}"


class Receipt(models.Model):
    """The 申请回执 PDF of a submitted application, sealed and signed like every issued document."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="receipt"
    )
    file = models.FileField(upload_to="receipts/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # The signed voucher (行政许可法 art. 32: dated and sealed); receipts made before receipts were
    # signed have none.
    document = models.OneToOneField(
        "seals.IssuedDocument",
        verbose_name="签章文书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "申请回执"

    def __str__(self):
        return f"回执 {self.application}"
