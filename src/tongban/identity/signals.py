"""Every login and logout on the platform, whatever the page: login history, the sign-in
session (the `sid` systems see) and back-channel logout when it ends; and the cached clients
forgotten when a client or its registration changes."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oauth2_provider.models import get_application_model

from tongban.core.request_context import client_ip
from tongban.identity import clients
from tongban.identity.models import ClientRegistration


def _agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""


@receiver(user_logged_in)
def track_login(sender, request, user, **kwargs):
    from tongban.identity import actions

    if request is None or not hasattr(request, "session"):
        return
    if not request.session.session_key:
        request.session.save()
    actions.session_started(
        user=user,
        session_key=request.session.session_key,
        method=getattr(request, "login_method", "password"),
        user_agent=_agent(request),
        address=client_ip(request),
    )


@receiver(user_logged_out)
def track_logout(sender, request, user, **kwargs):
    from tongban.identity import actions, backchannel

    if user is None or request is None or not hasattr(request, "session"):
        return
    key = request.session.session_key
    if key:
        actions.session_ended(
            session_key=key, user_id=user.pk, issuer=backchannel.request_issuer(request)
        )


@receiver(user_login_failed)
def track_failure(sender, credentials, request=None, **kwargs):
    from tongban.accounts.backends import find_user_by_identifier
    from tongban.identity import actions

    identifier = (credentials or {}).get("username") or ""
    user = find_user_by_identifier(identifier) if identifier else None
    if user is not None:
        actions.login_failed(
            user=user, user_agent=_agent(request), address=client_ip(request) if request else ""
        )


# The cached clients (identity.clients) follow every change of a client or its registration,
# whoever makes it (identity's actions, the exchange's own clients, the admin).
@receiver(post_save, sender=get_application_model())
@receiver(post_delete, sender=get_application_model())
def forget_client(sender, instance, **kwargs):
    clients.forget(instance.client_id)


@receiver(post_save, sender=ClientRegistration)
@receiver(post_delete, sender=ClientRegistration)
def forget_registered_client(sender, instance, **kwargs):
    client_id = (
        get_application_model()
        .objects.filter(pk=instance.application_id)
        .values_list("client_id", flat=True)
        .first()
    )
    clients.forget(client_id or "")
