from django import forms
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongban.accounts import authorisable, lockout
from tongban.core.identifiers import validate_citizen_id_field, validate_uscc_field


def say_what_is_missing(form: forms.Form) -> None:
    """An empty required field says what to do, naming the field, not "这个字段是必填项"."""
    for field in form.fields.values():
        if isinstance(field, forms.BooleanField):
            field.error_messages["required"] = _("请勾选“%(label)s”") % {"label": field.label}
        elif isinstance(field, forms.ChoiceField):
            field.error_messages["required"] = _("请选择%(label)s") % {"label": field.label}
        else:
            field.error_messages["required"] = _("请填写%(label)s") % {"label": field.label}


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("账号"),
        max_length=40,
        help_text=_("手机号码、身份证号码、统一社会信用代码或工作人员登录名"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)
        say_what_is_missing(self)

    def clean(self):
        identifier = self.cleaned_data.get("identifier", "")
        password = self.cleaned_data.get("password", "")
        if not identifier or not password:
            return self.cleaned_data
        if lockout.is_locked(identifier):
            raise forms.ValidationError(
                _("登录失败次数过多，账号已临时锁定，请稍后再试，或用短信验证码登录、找回密码。"),
                code="locked",
            )
        self.user = authenticate(self.request, username=identifier, password=password)
        if self.user is None:
            lockout.register_failure(identifier)
            left = lockout.remaining_attempts(identifier)
            if left == 0:
                raise forms.ValidationError(
                    _(
                        "登录失败次数过多，账号已临时锁定，请稍后再试，或用短信验证码登录、找回密码。"
                    ),
                    code="locked",
                )
            raise forms.ValidationError(
                _("账号或密码错误，还可尝试 %(left)s 次。") % {"left": left}, code="invalid"
            )
        lockout.clear(identifier)
        return self.cleaned_data


def optional_email_field() -> forms.CharField:
    return forms.CharField(
        label=_("电子邮箱（选填）"),
        max_length=254,
        required=False,
        help_text=_("填写后，办件进度等消息也会发送到该邮箱"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class NewAccountForm(forms.Form):
    """Registration forms: a strong password, typed the same twice, asked last. Checked here as
    well as in the service so that every mistake on the page is reported at once."""

    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，同时包含字母和数字"),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # Consent to the rules on personal information, given before the account exists; the page
    # links both texts beside the box (accounts.terms).
    agree = forms.BooleanField(label=_("我已阅读并同意《用户服务协议》和《隐私政策》"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Declared here, so they would come first; the password and the consent belong at the end.
        last = ("password", "password2", "agree")
        self.order_fields([name for name in self.fields if name not in last] + list(last))
        say_what_is_missing(self)
        self.fields["agree"].error_messages["required"] = _(
            "请阅读并同意《用户服务协议》和《隐私政策》后再注册"
        )

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            try:
                password_validation.validate_password(password)
            except ValidationError as error:
                self.add_error("password", error)
        if password and password != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return data


def sms_code_field() -> forms.CharField:
    return forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        help_text=_("先点“获取验证码”，把发到上面手机号码的6位数字填在这里"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CitizenRegistrationForm(NewAccountForm):
    real_name = forms.CharField(label=_("姓名"), max_length=30)
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        min_length=1,
        validators=[validate_citizen_id_field],
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-check": "citizen_id"}),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    sms_code = sms_code_field()
    email = optional_email_field()


class EnterpriseRegistrationForm(NewAccountForm):
    name = forms.CharField(label=_("企业名称"), max_length=200)
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        validators=[validate_uscc_field],
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-check": "uscc"}),
    )
    legal_rep_name = forms.CharField(label=_("法定代表人姓名"), max_length=30)
    legal_rep_id_number = forms.CharField(
        label=_("法定代表人身份证号码"),
        max_length=18,
        validators=[validate_citizen_id_field],
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-check": "citizen_id"}),
    )
    phone = forms.CharField(
        label=_("联系手机"),
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    sms_code = sms_code_field()
    email = optional_email_field()


class AgentAuthorisationForm(forms.Form):
    agent_name = forms.CharField(label=_("经办人姓名"), max_length=30)
    agent_id_number = forms.CharField(
        label=_("经办人身份证号码"),
        max_length=18,
        validators=[validate_citizen_id_field],
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-check": "citizen_id"}),
    )
    # Nothing is authorised until the enterprise chooses: the items one by one from the list, or
    # (deliberately) every item.
    item_codes = forms.MultipleChoiceField(
        label=_("授权办理的事项"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选经办人可以代本单位办理的事项；在上方输入事项名称可以筛选。"),
        error_messages={"invalid_choice": _("所选事项不存在或已停用，请重新选择")},
    )
    all_items = forms.BooleanField(
        label=_("授权办理全部事项（包括今后新增的事项）"), required=False, initial=False
    )
    valid_until = forms.DateField(
        label=_("有效期至"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效日期")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_codes"].choices = authorisable.choices()

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "agent_name": data["agent_name"],
            "agent_id_number": data["agent_id_number"],
            "all_items": data["all_items"],
            "valid_until": data["valid_until"],
            "item_codes": list(data["item_codes"]),
        }


class EmailForm(forms.Form):
    email = forms.CharField(
        label=_("电子邮箱"),
        max_length=254,
        required=False,
        help_text=_("留空则不再通过邮件发送消息"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
