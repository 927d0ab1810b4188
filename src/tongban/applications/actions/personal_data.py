"""The full value of a protected form field, shown to whom may see it and audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongban.accounts.models import User
from tongban.applications import formdefs, policy
from tongban.applications.models import (
    Application,
)
from tongban.core import audit
from tongban.core.audit_actions import PiiAction

# The usual reasons a member of staff opens a full value on the case page, offered as a choice
# (recorded in Chinese in the audit record; pages translate them). Any other choice (the page's
# 其他, "own_words") records the words alone.
REVEAL_PURPOSES = {
    "identity": gettext_noop("核对申请人身份"),
    "account": gettext_noop("核对发放账户"),
    "contact": gettext_noop("联系申请人"),
    "document": gettext_noop("制作证照或文书"),
}


def reveal_purpose(choice: str, text: str) -> str:
    """The purpose to record, from the page's choice and its words: a listed purpose (with the
    words added, if any), or the words alone for 其他. Neither means no purpose (refused later)."""
    text = (text or "").strip()
    listed = REVEAL_PURPOSES.get((choice or "").strip())
    if listed is None:
        return text
    return f"{listed}：{text}" if text else listed


def reveal_form_value(*, actor: User, application: Application, field: str, purpose: str) -> str:
    """The full value of a personal-data field of the application's form (ID, phone, bank
    account), for its owner or the staff handling it, recorded with the purpose."""
    purpose = (purpose or "").strip()
    prop = application.form.schema.get("properties", {}).get(field)
    if prop is None or not formdefs.is_sensitive(prop):
        raise ValidationError({"field": [_("该字段不是需要保护的个人信息，无需单独查看")]})
    if not purpose:
        raise ValidationError({"purpose": [_("查看完整个人信息必须说明用途")]})
    if not policy.can_see_personal_data(actor, application):
        raise PermissionDenied(_("您无权查看该申请的完整个人信息"))
    value = application.data.get(field)
    if not value:
        raise ValidationError({"field": [_("该项未填写")]})
    audit.record(
        PiiAction.REVEAL, actor=actor, obj=application, purpose=purpose, detail={"field": field}
    )
    return str(value)
