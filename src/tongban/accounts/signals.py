from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from tongban.accounts.audit_actions import AuditAction
from tongban.core import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record(AuditAction.LOGIN, actor=user, obj=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditAction.LOGOUT, actor=user, obj=user)
