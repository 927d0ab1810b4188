"""Workbench: the issuing department's licence register, and 撤销 / 注销 of a licence.

Thin: the forms check the shape of the input, licences.status decides and records."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tongban.accounts.permissions import departments_served, role_required
from tongban.accounts.roles import Role
from tongban.core.paging import ShortListPaginator
from tongban.licences import actions, policy, status
from tongban.licences.forms import CancelForm, RevokeForm
from tongban.licences.models import Licence

DESK_ROLES = policy.DESK_ROLES


def _visible(user):
    licences = Licence.objects.select_related("licence_type", "issuer", "status_document")
    if user.has_role(Role.PLATFORM_ADMIN):
        return licences
    return licences.filter(issuer_id__in=departments_served(user))


@role_required(*DESK_ROLES)
def register(request):
    query = (request.GET.get("q") or "").strip()[:120]
    licences = _visible(request.user).exclude(status=Licence.Status.REPLACED)
    if query:
        licences = licences.filter(Q(identifier=query) | Q(holder_name__contains=query))
    page = ShortListPaginator(licences.order_by("-issued_on", "-pk"), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "licences/staff/list.html",
        {"page": page, "licences": page.object_list, "query": query},
    )


def _licence(request, pk: int) -> Licence:
    licence = _visible(request.user).filter(pk=pk).first()
    if licence is None:
        raise Http404("没有找到该证照，或该证照不是本部门颁发")
    return licence


def _page(request, licence, revoke_form=None, cancel_form=None, status_code=200):
    return render(
        request,
        "licences/staff/detail.html",
        {
            "licence": licence,
            "status_text": actions.status_sentence(licence),
            "history": status.history(licence)[:50],
            "revoke_form": revoke_form or RevokeForm(),
            "cancel_form": cancel_form or CancelForm(),
            "can_end": policy.can_end(request.user, licence),
        },
        status=status_code,
    )


@role_required(*DESK_ROLES)
def manage(request, pk: int):
    return _page(request, _licence(request, pk))


def _refused(request, form, error: ValidationError) -> None:
    messages.error(request, "；".join(error.messages))
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _end(request, pk: int, form_key: str, form_class, call, done: str):
    """POST of the 撤销 or 注销 form: the service decides; a refusal comes back on the page."""
    licence = _licence(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(licence, form.cleaned_data)
        except PermissionDenied as error:  # shown on the form, as a refusal of the input
            _refused(request, form, ValidationError(str(error)))
        except ValidationError as error:
            _refused(request, form, error)
        else:
            messages.success(request, done)
            return redirect("licences_staff:detail", pk=pk)
    return _page(request, licence, **{form_key: form}, status_code=400)


@require_POST
@role_required(*DESK_ROLES)
def revoke(request, pk: int):
    return _end(
        request,
        pk,
        "revoke_form",
        RevokeForm,
        lambda licence, data: status.revoke(
            licence, request.user, data["reason"], legal_basis=data["legal_basis"]
        ),
        "证照已撤销，撤销决定书已签发并通知持证人",
    )


@require_POST
@role_required(*DESK_ROLES)
def cancel(request, pk: int):
    return _end(
        request,
        pk,
        "cancel_form",
        CancelForm,
        lambda licence, data: status.cancel(
            licence, request.user, data["reason"], note=data["note"]
        ),
        "证照已注销，已通知持证人",
    )
