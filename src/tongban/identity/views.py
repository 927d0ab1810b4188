"""Pages and endpoints of unified identity: the OpenID Connect provider's consent page, discovery,
JWKS and logout (the rest is django-oauth-toolkit's), SMS-code login and password recovery,
账号安全 and real-name levels. Thin: identity.actions and identity.sms do the work."""

import calendar
import hashlib

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from oauth2_provider import views as oauth_views
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_access_token_model, get_application_model
from oauth2_provider.signals import app_authorized

from tongban.accounts import actions as account_actions
from tongban.core.request_context import client_ip
from tongban.identity import actions, backchannel, keys, realname, sms
from tongban.identity.forms import RecoveryForm, SmsLoginForm
from tongban.identity.models import SCOPES, Consent, LoginEvent

Application = get_application_model()
AccessToken = get_access_token_model()

# What people read when a system sent them here with a request that cannot go back to it (the
# errors oauthlib will not redirect: unknown client, a redirect URI not registered).
UNREGISTERED = gettext_lazy("发起登录的系统未在本平台登记或已停用。")
WRONG_REDIRECT = gettext_lazy(
    "发起登录的系统提供的回调地址与登记的不一致，为保护您的账户，已停止登录。"
)
ERROR_TEXTS = {
    "InvalidClientIdError": UNREGISTERED,
    "MissingClientIdError": UNREGISTERED,
    "MismatchingRedirectURIError": WRONG_REDIRECT,
    "InvalidRedirectURIError": WRONG_REDIRECT,
    "MissingRedirectURIError": gettext_lazy("发起登录的系统没有提供回调地址。"),
}


def _error_text(error) -> str:
    text = ERROR_TEXTS.get(type(error).__name__)
    return str(text) if text else _("登录请求有误，请返回原系统重新发起。")


class AuthorizeView(oauth_views.AuthorizationView):
    """The authorisation endpoint: asks for consent the first time a system wants a scope."""

    template_name = "identity/authorize.html"

    def render_to_response(self, context, **kwargs):
        error = context.get("error")
        if error is not None:
            context["error_text"] = _error_text(error)
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        if application is not None:
            registration = getattr(application, "registration", None)
            context["registration"] = registration
            scopes = context.get("scopes") or []
            context["scope_items"] = [(s, SCOPES.get(s, s)) for s in scopes]
        return context

    def get(self, request, *args, **kwargs):
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        if "login" in set(request.GET.get("prompt", "").split()):
            return self.handle_prompt_login()
        application = Application.objects.get(client_id=credentials["client_id"])
        consent = actions.active_consent(request.user, application)
        if consent is not None and consent.covers(scopes):
            try:
                uri, _headers, _body, _status = self.create_authorization_response(
                    request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
                )
            except OAuthToolkitError as error:
                return self.error_response(error, application)
            self._signed_in(application)
            return self.redirect(uri, application)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        self.success_url = None
        response = super().form_valid(form)
        if form.cleaned_data.get("allow") and self.success_url:
            application = Application.objects.get(client_id=form.cleaned_data["client_id"])
            actions.grant_consent(
                user=self.request.user,
                application=application,
                scopes=(form.cleaned_data.get("scope") or "").split(),
            )
            self._signed_in(application)
        return response

    def _signed_in(self, application):
        actions.signed_in_to(
            session_key=self.request.session.session_key,
            user=self.request.user,
            application=application,
        )


class DiscoveryView(oauth_views.ConnectDiscoveryInfoView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        import json

        data = json.loads(response.content)
        data["id_token_signing_alg_values_supported"] = ["RS256"]
        data["backchannel_logout_supported"] = True
        data["backchannel_logout_session_supported"] = True
        data["code_challenge_methods_supported"] = ["S256"]
        data["ui_locales_supported"] = ["zh-CN", "en"]
        fresh = JsonResponse(data)
        fresh["Access-Control-Allow-Origin"] = "*"
        return fresh


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(login_not_required, name="dispatch")
class TokenView(oauth_views.TokenView):
    """The token endpoint. django-oauth-toolkit reads every token it issued back from the database
    to send its `app_authorized` signal; that read is made only when something listens to it."""

    @method_decorator(sensitive_post_parameters("password", "client_secret"))
    def authorization_flow_token_response(self, request, *args, **kwargs):
        if app_authorized.has_listeners():
            return super().authorization_flow_token_response(request, *args, **kwargs)
        _url, headers, body, status = self.create_token_response(request)
        response = HttpResponse(content=body, status=status)
        for name, value in headers.items():
            response[name] = value
        return response


class IntrospectTokenView(oauth_views.IntrospectTokenView):
    """Token introspection (RFC 7662), answered as django-oauth-toolkit does but from the five
    columns the answer needs, not three whole records."""

    @staticmethod
    def get_token_response(token_value=None):
        if token_value is None:
            return JsonResponse(
                {"error": "invalid_request", "error_description": "Token parameter is missing."},
                status=400,
            )
        checksum = hashlib.sha256(token_value.encode("utf-8")).hexdigest()
        row = (
            AccessToken.objects.filter(token_checksum=checksum)
            .values_list(
                "expires",
                "scope",
                "resource",
                "application__client_id",
                f"user__{get_user_model().USERNAME_FIELD}",
            )
            .first()
        )
        if row is None or row[0] is None or row[0] <= timezone.now():
            return JsonResponse({"active": False})
        expires, scope, audiences, client_id, username = row
        data = {"active": True, "scope": scope, "exp": int(calendar.timegm(expires.timetuple()))}
        if client_id:
            data["client_id"] = client_id
        if username:
            data["username"] = username
        if audiences:
            data["aud"] = audiences
        return JsonResponse(data)


def jwks_view(request):
    response = JsonResponse(keys.public_jwks())
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


class LogoutView(oauth_views.RPInitiatedLogoutView):
    template_name = "identity/logout_confirm.html"


# --- people's pages ------------------------------------------------------------------------------
def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


def _copy_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            form.add_error(field if field in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


def _send(request, form, purpose) -> bool:
    try:
        sms.send_code(phone=form.cleaned_data["phone"], purpose=purpose, address=client_ip(request))
    except ValidationError as error:
        _copy_errors(form, error)
        return False
    messages.info(request, _("如该手机号码已注册，验证码已发送，请查收短信。"))
    return True


def sms_login_view(request):
    form = SmsLoginForm(data=request.POST or None)
    code_sent = request.method == "POST"
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send":
            _send(request, form, sms.Purpose.LOGIN)
        else:
            phone = form.cleaned_data["phone"]
            try:
                sms.verify_code(
                    phone=phone, purpose=sms.Purpose.LOGIN, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                _copy_errors(form, error)
            else:
                user = sms.account_for(phone)
                if user is None:
                    form.add_error("code", _("验证码不正确或已失效，请重新获取"))
                else:
                    request.login_method = LoginEvent.Method.SMS
                    login(request, user, backend="tongban.accounts.backends.IdentifierBackend")
                    return redirect(_next_url(request, "portal:home"))
    return render(
        request,
        "identity/sms_login.html",
        {"form": form, "code_sent": code_sent, "next": _next_url(request, "")},
    )


def recover_view(request):
    """找回密码: prove the phone with a code, then choose a new password."""
    form = RecoveryForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send":
            _send(request, form, sms.Purpose.RECOVER)
        elif not form.cleaned_data.get("password"):
            form.add_error("password", _("请设置新密码"))
        else:
            phone = form.cleaned_data["phone"]
            try:
                sms.verify_code(
                    phone=phone, purpose=sms.Purpose.RECOVER, code=form.cleaned_data["code"]
                )
                user = sms.account_for(phone)
                if user is None:
                    raise ValidationError({"code": [_("验证码不正确或已失效，请重新获取")]})
                account_actions.reset_password(user=user, password=form.cleaned_data["password"])
            except ValidationError as error:
                _copy_errors(form, error)
            else:
                messages.success(
                    request, _("密码已重设，请用新密码登录。其他设备上的登录已全部退出。")
                )
                return redirect("accounts:login")
    return render(request, "identity/recover.html", {"form": form})


@login_required
def security_view(request):
    """账号安全: the systems the person let in, their sessions and login history."""
    consents = (
        Consent.objects.filter(user=request.user, revoked_at__isnull=True)
        .select_related("application__registration__department")
        .order_by("-granted_at")[:50]
    )
    for consent in consents:
        consent.scope_labels = [SCOPES.get(s, s) for s in consent.scopes if s != "openid"]
    sessions = actions.active_sessions(request.user)
    history = LoginEvent.objects.filter(user=request.user)[:20]
    level = None
    if request.user.kind == "citizen" and hasattr(request.user, "citizen"):
        level = int(request.user.citizen.verification_level)
    return render(
        request,
        "identity/security.html",
        {
            "consents": consents,
            "sessions": sessions,
            "history": history,
            "current_key": request.session.session_key,
            "level": level,
            "level_label": realname.LEVELS.get(level, "") if level is not None else "",
            "next_level": level + 1 if level is not None and level < 3 else None,
        },
    )


@login_required
@require_POST
def revoke_consent_view(request, pk: int):
    try:
        consent = actions.revoke_consent(
            user=request.user, consent_id=pk, issuer=backchannel.request_issuer(request)
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        name = (
            getattr(getattr(consent.application, "registration", None), "name", "")
            or consent.application.name
        )
        messages.success(request, _("已撤销对“%(name)s”的授权。") % {"name": name})
    return redirect("identity:security")


@login_required
@require_POST
def end_session_view(request, sid: str):
    try:
        actions.end_session(
            user=request.user,
            sid=sid,
            current_session_key=request.session.session_key or "",
            issuer=backchannel.request_issuer(request),
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("该设备上的登录已退出。"))
    return redirect("identity:security")


@login_required
def realname_view(request):
    """Raise the real-name level one step (levels 1–3, each through its plug-in)."""
    if request.user.kind != "citizen":
        messages.error(request, _("实名认证等级只适用于个人账户"))
        return redirect("identity:security")
    current = int(request.user.citizen.verification_level)
    target = current + 1 if current < 3 else None
    if request.method == "POST" and target is not None:
        try:
            actions.raise_realname_level(
                user=request.user, level=target, evidence=request.POST.get("evidence", "")
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("实名认证已提升到%(level)s级。") % {"level": target})
            return redirect(_next_url(request, "identity:security"))
    return render(
        request,
        "identity/realname.html",
        {
            "current": current,
            "target": target,
            "levels": sorted(realname.LEVELS.items()),
            "face_evidence": realname.DEMO_FACE_EVIDENCE,
            "next": _next_url(request, ""),
        },
    )
