"""可享政策: what a person or enterprise is matched to, why, its status and payments; one-step
confirmation; objections. Thin: every change goes through policies.actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.policies.actions import matching, objections, offers
from tongban.policies.models import Match, Objection, PaymentLine, Policy


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


def _subject(request):
    mine = offers.subject_index_of(request.user)
    if mine is None:
        raise PermissionDenied(_("可享政策面向自然人和法人账户"))
    return mine


def _own_match(request, pk) -> Match:
    target, index = _subject(request)
    match = get_object_or_404(Match.objects.select_related("policy__department"), pk=pk)
    if (match.subject_kind, match.subject_index) != (target, index):
        raise Http404
    return match


@login_required
def mine(request):
    target, index = _subject(request)
    matches = list(offers.matches_for(request.user))
    for match in matches:
        match.reason = offers.reason_text(match.explanation)
        match.amount_label = offers.amount_text(match)
    matched_ids = {m.policy_id for m in matches}
    others = Policy.objects.filter(status=Policy.Status.PUBLISHED, target=target).exclude(
        pk__in=matched_ids
    )
    return render(
        request,
        "policies/mine.html",
        {
            "current": [m for m in matches if m.eligible],
            "past": [m for m in matches if not m.eligible],
            "others": others.select_related("department"),
            "objections": Objection.objects.filter(subject_index=index).select_related("policy"),
        },
    )


@login_required
def detail(request, pk):
    match = _own_match(request, pk)
    account = offers.payment_account(match.subject_index)
    shared = None
    if account is None and match.status == Match.Status.OFFERED:
        shared = offers.shared_account(match)
    return render(
        request,
        "policies/detail.html",
        {
            "match": match,
            "reason": offers.reason_text(match.explanation),
            "blocking": offers.blocking_text(match.explanation) if not match.eligible else "",
            "amount_label": offers.amount_text(match),
            "account": account,
            "shared_masked": shared and offers.pii.mask_bank_account(shared[1]),
            "payments": PaymentLine.objects.filter(match=match).select_related("batch"),
            "kinds": Objection.Kind.choices,
        },
    )


@login_required
@require_POST
def confirm(request, pk):
    match = _own_match(request, pk)
    try:
        offers.confirm(
            user=request.user,
            match=match,
            bank=request.POST.get("bank", ""),
            number=request.POST.get("account_number", ""),
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("policies:detail", pk=match.pk)
    messages.success(request, _("已确认，资金将按期发放到您的账户。"))
    return redirect("policies:detail", pk=match.pk)


@login_required
@require_POST
def account(request, pk):
    match = _own_match(request, pk)
    try:
        offers.set_account(
            user=request.user,
            match=match,
            bank=request.POST.get("bank", ""),
            number=request.POST.get("account_number", ""),
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("policies:detail", pk=match.pk)
    messages.success(request, _("发放账户已更新，未成功的发放将重新办理。"))
    return redirect("policies:detail", pk=match.pk)


@login_required
def policy(request, pk):
    """A published policy the subject was not matched to: what it gives, and why not."""
    target, index = _subject(request)
    item = get_object_or_404(Policy, pk=pk, status=Policy.Status.PUBLISHED, target=target)
    existing = Match.objects.filter(policy=item, subject_index=index).first()
    if existing is not None:
        return redirect("policies:detail", pk=existing.pk)
    explanation = matching.why_not(item, index)
    return render(
        request,
        "policies/policy.html",
        {
            "policy": item,
            "explanation": explanation,
            "blocking": offers.blocking_text(explanation) if explanation else "",
            "kinds": Objection.Kind.choices,
        },
    )


@login_required
@require_POST
def objection(request, pk):
    target, index = _subject(request)
    item = get_object_or_404(Policy, pk=pk, target=target)
    match = Match.objects.filter(policy=item, subject_index=index).first()
    try:
        objections.raise_objection(
            user=request.user,
            policy=item,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
            match=match,
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("异议已提交给政策主管部门，请留意答复。"))
    return redirect("policies:mine")
