"""Workbench forms for ending a licence: 撤销 (reason + legal basis) and 注销 (reason + note)."""

from django import forms

from tongban.licences.status import MAX_BASIS, MAX_REASON, CancelReason


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="撤销理由",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明查明的事实，将载入撤销决定书并告知持证人",
        error_messages={"required": "请填写撤销理由"},
    )
    legal_basis = forms.CharField(
        label="法律依据",
        max_length=MAX_BASIS,
        help_text="如：《中华人民共和国行政许可法》第六十九条第二款",
        error_messages={"required": "请填写撤销的法律依据"},
    )
    confirm = forms.BooleanField(
        label="我已核实上述事实，确认撤销该证照并签发撤销决定书",
        error_messages={"required": "请勾选确认"},
    )


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label="注销原因",
        choices=[("", "请选择"), *CancelReason.choices],
        error_messages={"required": "请选择注销原因", "invalid_choice": "请选择注销原因"},
    )
    note = forms.CharField(
        label="情况说明",
        max_length=150,
        required=False,
        help_text="选择“其他法定情形”时必填",
    )
