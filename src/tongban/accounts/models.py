"""People and organisations who use Tongban: citizens, enterprises with their agents, and staff."""

import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from tongban.accounts.roles import Role
from tongban.core import pii
from tongban.core.fields import EncryptedTextField
from tongban.core.models import Department, ServiceHall, Window


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, login_name=None, password=None, **extra):
        user = self.model(login_name=login_name or new_login_name(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, login_name, password=None, **extra):
        extra.update(kind=User.Kind.STAFF, is_staff=True, is_superuser=True)
        extra.setdefault("display_name", login_name)
        return self.create_user(login_name, password, **extra)


def new_login_name() -> str:
    return "u" + secrets.token_hex(6)


class User(AbstractBaseUser, PermissionsMixin):
    """One account model for everyone; what a person is shows in `kind` and the matching profile.

    People log in with their phone or ID number (citizens), USCC (enterprises) or a staff login
    name; `login_name` is the stable, non-personal key Django needs.
    """

    class Kind(models.TextChoices):
        CITIZEN = "citizen", "自然人"
        ENTERPRISE = "enterprise", "法人"
        STAFF = "staff", "工作人员"

    login_name = models.CharField("登录名", max_length=40, unique=True)
    kind = models.CharField("账户类型", max_length=12, choices=Kind.choices)
    display_name = models.CharField("名称", max_length=200)
    phone = EncryptedTextField("手机号码", blank=True)
    phone_index = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    email = models.EmailField("电子邮箱", blank=True)
    is_active = models.BooleanField("有效", default=True)
    is_staff = models.BooleanField("可登录管理后台", default=False)
    date_joined = models.DateTimeField("注册时间", default=timezone.now)

    objects = UserManager()
    USERNAME_FIELD = "login_name"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return f"{self.get_kind_display()} {self.masked_name}"

    def set_phone(self, phone: str) -> None:
        self.phone = pii.normalise(phone)
        self.phone_index = pii.blind_index(phone, "phone") if phone else None

    @property
    def masked_phone(self) -> str:
        return pii.mask_phone(self.phone) if self.phone else ""

    @property
    def masked_name(self) -> str:
        return (
            self.display_name
            if self.kind != self.Kind.CITIZEN
            else pii.mask_name(self.display_name)
        )

    @property
    def audit_label(self) -> str:
        return f"{self.kind}:{self.pk} {self.masked_name}"

    # --- roles ------------------------------------------------------------------------------------
    def role_codes(self) -> set[str]:
        if not hasattr(self, "_role_cache"):
            self._role_cache = (
                set(self.staff_roles.values_list("role", flat=True)) if self.pk else set()
            )
        return self._role_cache

    def has_role(self, *roles: str) -> bool:
        if not self.is_active or self.kind != self.Kind.STAFF:
            return False
        codes = self.role_codes()
        return Role.PLATFORM_ADMIN in codes or any(role in codes for role in roles)


class CitizenProfile(models.Model):
    class Verification(models.IntegerChoices):
        # How sure we are that the person is who the ID number says (real-name levels; the checks
        # that reach them are identity's plug-ins, docs/identity.md).
        NUMBER_CHECKED = 0, "未实名核验（仅校验号码规则）"
        POPULATION_MATCHED = 1, "1级：人口库比对通过"
        SOURCE_VERIFIED = 2, "2级：公安实名核验通过"
        IN_PERSON = 3, "3级：人脸核验通过"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="citizen")
    real_name = models.CharField("姓名", max_length=50)
    id_number = EncryptedTextField("公民身份号码")
    id_index = models.CharField(max_length=64, unique=True, editable=False)
    birth_date = models.DateField("出生日期")
    gender = models.CharField("性别", max_length=2)
    verification_level = models.PositiveSmallIntegerField(
        "实名认证等级", choices=Verification.choices, default=Verification.NUMBER_CHECKED
    )
    address = models.CharField("联系地址", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "自然人"

    def __str__(self):
        return pii.mask_name(self.real_name)

    @property
    def masked_id_number(self) -> str:
        return pii.mask_id_number(self.id_number)


class EnterpriseProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="enterprise")
    name = models.CharField("企业名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    legal_rep_name = models.CharField("法定代表人", max_length=50)
    legal_rep_id_number = EncryptedTextField("法定代表人身份号码")
    legal_rep_id_index = models.CharField(max_length=64, db_index=True, editable=False)
    address = models.CharField("住所", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "法人"

    def __str__(self):
        return self.name

    @property
    def masked_legal_rep_id_number(self) -> str:
        return pii.mask_id_number(self.legal_rep_id_number)


class AgentAuthorisation(models.Model):
    """The legal representative lets a citizen (经办人) act for the enterprise, for all items or a
    listed set of items (by 基本编码), until an expiry date; it can be revoked at any time."""

    enterprise = models.ForeignKey(
        EnterpriseProfile,
        verbose_name="企业",
        on_delete=models.CASCADE,
        related_name="agent_authorisations",
    )
    agent = models.ForeignKey(
        User, verbose_name="经办人", on_delete=models.CASCADE, related_name="agent_authorisations"
    )
    all_items = models.BooleanField("全部事项", default=True)
    item_codes = models.JSONField("授权事项编码", default=list, blank=True)
    valid_until = models.DateField("有效期至")
    created_at = models.DateTimeField("授权时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "经办人授权"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.enterprise.name} → {self.agent.masked_name}"

    def is_valid_on(self, day) -> bool:
        return self.revoked_at is None and day <= self.valid_until

    def covers(self, item_code: str) -> bool:
        return self.all_items or item_code in self.item_codes

    @property
    def status_label(self) -> str:
        if self.revoked_at:
            return "已撤销"
        return "有效" if self.is_valid_on(timezone.localdate()) else "已过期"


class StaffProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    department = models.ForeignKey(
        Department, verbose_name="所属部门", on_delete=models.PROTECT, related_name="staff"
    )
    hall = models.ForeignKey(
        ServiceHall, verbose_name="所在大厅", null=True, blank=True, on_delete=models.SET_NULL
    )
    window = models.ForeignKey(
        Window, verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL
    )
    employee_no = models.CharField("工号", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"

    def __str__(self):
        return f"{self.user.display_name}（{self.department}）"


class StaffRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员角色"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="staffrole_unique")]

    def __str__(self):
        return self.get_role_display()
