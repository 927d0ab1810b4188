from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("手机号码"),
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )


def code_field(required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=required,
        help_text=_("6位数字，5分钟内有效，只能使用一次"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SmsLoginForm(forms.Form):
    phone = phone_field()
    code = code_field(required=False)


class RecoveryForm(forms.Form):
    phone = phone_field()
    code = code_field(required=False)
    password = forms.CharField(
        label=_("新密码"),
        strip=False,
        required=False,
        help_text=_("至少8位，同时包含字母和数字"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认新密码"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            try:
                password_validation.validate_password(password)
            except ValidationError as error:
                self.add_error("password", error)
            if password != data.get("password2"):
                self.add_error("password2", _("两次输入的密码不一致"))
        return data
