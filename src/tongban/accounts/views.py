"""Login, registration, the account page and agent authorisations. Thin: services do the work."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from tongban.accounts import actions, authorisable, forms
from tongban.accounts.models import User
from tongban.accounts.terms import TERMS_VERSION
from tongban.core import plugins
from tongban.core.request_context import client_ip


def _copy_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


def login_view(request):
    form = forms.LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        default = "workbench:home" if form.user.kind == User.Kind.STAFF else "portal:home"
        return redirect(_next_url(request, default))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request, "")})


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("portal:home")


def terms_view(request):
    return render(request, "accounts/terms.html", {"version": TERMS_VERSION})


def privacy_view(request):
    return render(request, "accounts/privacy.html", {"version": TERMS_VERSION})


def register_view(request):
    """Registration: the phone is proved with an SMS code (the "phone_proof" plug-in, fulfilled
    by identity) before the account exists; one transaction checks the code and registers."""
    kind = request.GET.get("kind") or request.POST.get("kind") or "citizen"
    form_class = (
        forms.EnterpriseRegistrationForm if kind == "enterprise" else forms.CitizenRegistrationForm
    )
    if request.method == "POST" and request.POST.get("action") == "send_code":
        return _send_registration_code(request, form_class, kind)
    form = form_class(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("password2", "sms_code", "agree")
        }
        data["agreed_terms"] = TERMS_VERSION  # the form required the box ticked
        register = actions.register_enterprise if kind == "enterprise" else actions.register_citizen
        try:
            if not form.cleaned_data.get("sms_code"):
                raise ValidationError({"sms_code": ["请填写短信验证码"]})
            with transaction.atomic():
                _phone_proof().verify(phone=data["phone"], code=form.cleaned_data["sms_code"])
                user = register(**data)
        except ValidationError as error:
            _copy_errors(form, _code_errors_on_field(error))
        else:
            request.login_method = "register"
            login(request, user, backend="tongban.accounts.backends.IdentifierBackend")
            messages.success(request, "注册成功，欢迎使用。")
            # Back to where the person was going (an application) when they were asked to sign in.
            return redirect(_next_url(request, "accounts:profile"))
    return render(
        request,
        "accounts/register.html",
        {"form": form, "kind": kind, "next": _next_url(request, "")},
    )


def _phone_proof():
    return plugins.get_plugin("phone_proof")


def _code_errors_on_field(error: ValidationError) -> ValidationError:
    """The proof reports a wrong code under "code"; on this page the field is "sms_code"."""
    if hasattr(error, "error_dict") and "code" in error.error_dict:
        texts = error.message_dict
        texts["sms_code"] = texts.pop("code")
        return ValidationError(texts)
    return error


def _send_registration_code(request, form_class, kind):
    """Text a code to the phone typed so far; the page comes back with what was typed (not the
    passwords) and the code field to fill."""
    initial = {
        k: v
        for k, v in request.POST.items()
        if k not in ("password", "password2", "csrfmiddlewaretoken")
    }
    form = form_class(initial=initial)
    try:
        _phone_proof().send(phone=request.POST.get("phone", ""), address=client_ip(request))
    except ValidationError as error:
        bound = form_class(data=request.POST)
        bound.is_valid()
        bound._errors = {}
        _copy_errors(bound, error)
        form = bound
    else:
        messages.info(request, "验证码已发送到您填写的手机号码，5分钟内有效。")
    return render(
        request,
        "accounts/register.html",
        {"form": form, "kind": kind, "next": _next_url(request, "")},
    )


@login_required
def profile_view(request):
    revealed = None
    email_form = forms.EmailForm(initial={"email": request.user.email})
    if request.method == "POST" and request.POST.get("action") == "email":
        email_form = forms.EmailForm(data=request.POST)
        if email_form.is_valid():
            try:
                actions.change_email(user=request.user, email=email_form.cleaned_data["email"])
            except ValidationError as error:
                _copy_errors(email_form, error)
            else:
                messages.success(request, "电子邮箱已更新。")
                return redirect("accounts:profile")
    elif request.method == "POST":
        try:
            revealed = actions.reveal_personal_data(
                actor=request.user,
                subject=request.user,
                field=request.POST.get("field", ""),
                purpose="本人查看",
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
    return render(
        request, "accounts/profile.html", {"revealed": revealed, "email_form": email_form}
    )


def _enterprise_user(request) -> User:
    if not request.user.is_authenticated:
        raise PermissionDenied
    if request.user.kind != User.Kind.ENTERPRISE:
        raise PermissionDenied("只有法人账户可以管理经办人授权")
    return request.user


@login_required
def agents_view(request):
    enterprise_user = _enterprise_user(request)
    form = forms.AgentAuthorisationForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.authorise_agent(enterprise_user=enterprise_user, **form.service_kwargs())
        except ValidationError as error:
            _copy_errors(form, error)
        else:
            messages.success(request, "授权成功。")
            return redirect("accounts:agents")
    authorisations = list(
        enterprise_user.enterprise.agent_authorisations.select_related("agent").order_by(
            "-created_at"
        )[:100]
    )
    names = dict(authorisable.choices())
    for authorisation in authorisations:  # the items by name, never by code
        authorisation.item_names = [
            names.get(code, gettext("已停用的事项")) for code in authorisation.item_codes
        ]
    return render(request, "accounts/agents.html", {"form": form, "authorisations": authorisations})


@login_required
@require_POST
def revoke_agent_view(request, pk: int):
    enterprise_user = _enterprise_user(request)
    try:
        actions.revoke_agent(enterprise_user=enterprise_user, authorisation_id=pk)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "授权已撤销。")
    return redirect("accounts:agents")
