"""Staff workbench pages for case handling. Lists are paginated and show masked applicant data;
the case page offers exactly the moves allowed now; every move is one POST into cases.actions."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongban.accounts.models import User
from tongban.accounts.permissions import (
    departments_served,
    role_required,
    serves_department,
    staff_required,
)
from tongban.accounts.roles import Role
from tongban.applications import formdefs
from tongban.applications.actions import required_materials
from tongban.applications.actions.personal_data import REVEAL_PURPOSES
from tongban.applications.models import Application, MaterialCommitment
from tongban.applications.states import Status
from tongban.cases import (
    actions,
    commitments,
    deadlines,
    duties,
    instant,
    policy,
    review,
    statistics,
)
from tongban.cases.models import Case, CaseDocument, RefusalGround, ReviewStep, Suspension
from tongban.catalog.codes import LimitUnit
from tongban.core import pii, workdays
from tongban.core.identifiers import IdType
from tongban.core.models import Department
from tongban.licences import policy as licence_policy

PAGE_SIZE = 20
TABS = {
    "accept": gettext_lazy("待受理"),
    "todo": gettext_lazy("待办"),
    "done": gettext_lazy("已办"),
    "yellow": gettext_lazy("预警"),
    "red": gettext_lazy("超期"),
    "finish": gettext_lazy("待办结"),
    "verify": gettext_lazy("待核查承诺"),
}


def _served(user) -> Q:
    if user.has_role(Role.PLATFORM_ADMIN, Role.SUPERVISOR):
        return Q()
    return Q(service_item__department_id__in=departments_served(user))


def _queryset(request, tab: str):
    user = request.user
    base = Application.objects.filter(_served(user)).select_related(
        "item_version", "service_item__department", "case"
    )
    if tab == "accept":
        return base.filter(status=Status.SUBMITTED).order_by("received_at")
    if tab == "todo":
        steps = ReviewStep.objects.filter(
            finished_at=None,
            role__in=user.role_codes()
            | (set(Role.values) if user.has_role(Role.PLATFORM_ADMIN) else set()),
        )
        if not user.has_role(Role.PLATFORM_ADMIN):
            steps = steps.filter(department_id__in=departments_served(user)).filter(
                Q(assignee=None) | Q(assignee=user)
            )
        return base.filter(case__steps__in=steps).distinct().order_by("case__effective_due_date")
    if tab == "done":
        return (
            base.filter(
                Q(case__steps__assignee=user, case__steps__finished_at__isnull=False)
                | Q(case__accepted_by=user)
            )
            .distinct()
            .order_by("-updated_at")
        )
    if tab in ("yellow", "red"):
        return base.filter(status=Status.ACCEPTED, case__warning=tab).order_by(
            "case__effective_due_date"
        )
    if tab == "finish":
        return base.filter(status__in=[Status.APPROVED, Status.DENIED]).order_by("case__decided_at")
    if tab == "verify":  # 告知承诺 awaiting the department's check (事后核查)
        return (
            base.filter(
                case__accepted_on__isnull=False,
                commitments__kind=MaterialCommitment.Kind.COMMITMENT,
                commitments__state=MaterialCommitment.State.SIGNED,
            )
            .distinct()
            .order_by("case__accepted_on")
        )
    raise PermissionDenied


def queue(request, tab: str):
    """One of the case lists' queues (待受理, 待办, 预警, 超期 …) as the person sees it: the
    workbench's home opens on the same queues."""
    return _queryset(request, tab)


def _filtered(request, queryset):
    department = request.GET.get("department", "")
    if department.isdigit():
        queryset = queryset.filter(service_item__department_id=int(department))
    status = request.GET.get("status", "")
    if status in Status.values:
        queryset = queryset.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        queryset = queryset.filter(Q(item_version__name__contains=q) | Q(case_number=q))
    since = request.GET.get("since", "")
    if since:
        try:
            queryset = queryset.filter(received_at__date__gte=datetime.date.fromisoformat(since))
        except ValueError:
            messages.error(request, _("日期格式应为 年-月-日"))
    return queryset


def _rows(page, calendar, today):
    rows = []
    for application in page.object_list:
        case = getattr(application, "case", None)
        left = acceptance_due = None
        if case and case.effective_due_date and application.status == Status.ACCEPTED:
            left = deadlines.Deadlines(
                None, case.effective_due_date, 0, 0, case.suspended
            ).days_left(calendar, today)
        elif application.status == Status.SUBMITTED and application.received_at:
            # 待受理: the clock is the acceptance deadline (art. 32, 5 working days), after which
            # the application counts as accepted.
            acceptance_due = actions.deemed_acceptance_due(application.received_at, calendar)
            left = deadlines.Deadlines(None, acceptance_due, 0, 0, False).days_left(calendar, today)
        rows.append(
            {
                "application": application,
                "case": case,
                "acceptance_due": acceptance_due,
                "days_left": left,
                "applicant": pii.mask_name(application.applicant_name)
                if application.applicant_id_type == IdType.CITIZEN_ID
                else application.applicant_name,
            }
        )
    return rows


def _department_choices(user):
    if user.has_role(Role.PLATFORM_ADMIN, Role.SUPERVISOR):
        return Department.objects.filter(is_active=True)
    return Department.objects.filter(pk__in=departments_served(user))


def _default_tab(user, counts: dict[str, int]) -> str:
    """Open on the person's work: a window clerk's is 待受理, a reviewer's 待办; when their own
    tab is empty and the other one is not, the other one."""
    reviews = user.has_role(Role.HANDLER, Role.REVIEWER, Role.APPROVER)
    accepts = user.has_role(Role.WINDOW_CLERK)
    first, second = ("accept", "todo") if accepts and not reviews else ("todo", "accept")
    if not counts[first] and counts[second] and (accepts or reviews):
        return second
    return first


@staff_required
def case_list(request):
    counts = {key: _queryset(request, key).count() for key in ("accept", "todo", "yellow", "red")}
    tab = request.GET.get("tab") or _default_tab(request.user, counts)
    if tab not in TABS:
        tab = "todo"
    page = Paginator(_filtered(request, _queryset(request, tab)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    calendar, today = workdays.Calendar(), timezone.localdate()
    return render(
        request,
        "cases/list.html",
        {
            "tab": tab,
            "tab_label": TABS[tab],
            "page": page,
            "tabs": [(key, label, counts.get(key)) for key, label in TABS.items()],
            # An empty list says where the work is: the other counted lists that are not empty.
            "elsewhere": [(key, TABS[key], n) for key, n in counts.items() if n and key != tab],
            "filtered": any(
                request.GET.get(name) for name in ("q", "since", "department", "status")
            ),
            "rows": _rows(page, calendar, today),
            "counts": counts,
            "q": request.GET.get("q", ""),
            "since": request.GET.get("since", ""),
            "department": request.GET.get("department", ""),
            "status": request.GET.get("status", ""),
            "departments": _department_choices(request.user),
            "statuses": [
                (v, label) for v, label in Status.choices if v not in ("draft", "discarded")
            ],
        },
    )


def _staff_application(request, public_id) -> Application:
    application = get_object_or_404(
        Application.objects.select_related(
            "item_version", "service_item__department", "form", "handling_item"
        ),
        public_id=public_id,
        case_number__isnull=False,
    )
    if not (
        serves_department(request.user, application.service_item.department_id)
        or request.user.has_role(Role.SUPERVISOR)
    ):
        raise PermissionDenied(_("该办件不属于您所在部门"))
    return application


def _form_rows(application: Application) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(section title, [(label, value, field to reveal)]): personal data (by the field's format)
    masked, with its name for the audited reveal."""
    form = application.form
    properties = form.schema.get("properties", {})
    out = []
    for section in form.sections:
        rows = []
        for f in formdefs.fields_of(form.schema, form.layout, section["fields"]):
            if f.widget == "hidden" or f.name not in application.data:
                continue
            value = application.data.get(f.name)
            if f.choices:
                value = dict(f.choices).get(str(value), value)
            elif isinstance(value, bool):
                value = _("是") if value else _("否")
            elif f.sensitive and value:
                value = formdefs.mask_value(properties[f.name], value)
            shown = "" if value is None else str(value)
            rows.append((f.label, shown, f.name if f.sensitive and value else ""))
        out.append((section["title"], rows))
    return out


def _my_steps(user: User, case: Case, open_steps) -> list[ReviewStep]:
    """The open steps `user` may take: role and department, and not a second duty on the case."""
    eligible = [
        s for s in open_steps if user.has_role(s.role) and serves_department(user, s.department_id)
    ]
    return duties.open_steps_for(case, eligible, user.pk)


ACTION_NAMES = {
    "approve": gettext_lazy("通过"),
    "return": gettext_lazy("退回"),
    "other": gettext_lazy("其他"),
}


def _with_choices(case: Case | None, steps: list[ReviewStep]) -> list[ReviewStep]:
    """Each step with `choices` [(action, label, hint)]: the actions its task allows, labelled by
    what they do in the process (flow "不予许可") with the 业务动作 as hint; 其他 without a named
    flow is explained. Nothing is pre-selected: the page asks for a choice."""
    if case is None or not steps:
        return steps
    allowed = review.step_actions(case, steps)
    for step in steps:
        choices = []
        for action, leads_to in allowed[step.pk]:
            name = str(ACTION_NAMES.get(action, action))
            if leads_to and leads_to != name:
                choices.append((action, leads_to, _("业务动作：%(action)s") % {"action": name}))
            elif action == "other":
                choices.append(
                    (action, name, _("既不通过也不退回时选择，请在处理意见中写明如何处理"))
                )
            else:
                choices.append((action, name, ""))
        step.choices = choices
    return steps


def _duty_notes(user: User, case: Case | None, open_steps) -> list[str]:
    """Why a step the user's roles would allow is not offered (separation of duties)."""
    if case is None:
        return []
    reasons = (
        duties.conflict(case, user.pk, s.role)
        for s in open_steps
        if user.has_role(s.role) and serves_department(user, s.department_id)
    )
    return list(dict.fromkeys(r for r in reasons if r))


def _moves(user: User, application: Application, case: Case | None, open_steps) -> set[str]:
    dept = application.service_item.department_id
    serves = serves_department(user, dept)
    moves = set()
    if policy.can_accept(user, application, serves):
        moves |= {"accept", "refuse"}
        if not actions.has_correction_notice(application):  # 一次性告知: one notice only
            moves.add("correction")
        if policy.can_decide_now(user, application, serves):
            moves.add("decide_now")
    if application.status == Status.ACCEPTED and case:
        if policy.can_handle(user, application, case, serves):
            # 实地核查 leaves the clock running (case.suspended stays False) but is still open
            in_procedure = case.suspended or case.suspensions.filter(ended_on=None).exists()
            moves.add("resume" if in_procedure else "suspend")
        if policy.can_extend(user, application, case, serves):
            moves.add("extend")
        if _my_steps(user, case, open_steps):
            moves.add("step")
    if policy.can_complete(user, application, serves):
        moves.add("complete")
    if policy.can_deliver(user, application, case, serves):
        moves.add("deliver")
    if policy.can_supervise(user, application, case, serves):
        moves.add("supervise")
    if (
        case
        and case.accepted_on
        and policy.acts_for(user, dept, policy.HANDLING, serves)
        and commitments.awaiting_verification(application).exists()
    ):
        moves.add("verify_commitment")
    return moves


def _limit_label(amount, unit) -> str:
    if amount is None:
        return "—"
    if unit == LimitUnit.NATURAL_DAYS:
        return _("%(n)s 个自然日") % {"n": amount}
    return _("%(n)s 个工作日") % {"n": amount}


def _limits(version) -> dict[str, str]:
    """The time limits as the catalogue states them, in their own unit (自然日 stays 自然日)."""
    legal = _limit_label(version.legal_limit, version.legal_limit_unit)
    if version.promised_limit is None:  # the promised date is then the statutory one
        return {"legal": legal, "promised": legal}
    return {
        "legal": legal,
        "promised": _limit_label(version.promised_limit, version.promised_limit_unit),
    }


@staff_required
def case_detail(request, public_id):
    application = _staff_application(request, public_id)
    case = Case.objects.filter(application=application).first()
    calendar, today = workdays.Calendar(), timezone.localdate()
    due = deadlines.compute(case, calendar, today) if case and case.accepted_on else None
    counting = application.status == Status.ACCEPTED  # the clock stops at the decision
    acceptance_due = (
        actions.deemed_acceptance_due(application.received_at, calendar)
        if application.status == Status.SUBMITTED and application.received_at
        else None
    )
    open_steps = (
        list(case.steps.filter(finished_at=None).select_related("department", "assignee"))
        if case
        else []
    )
    return render(
        request,
        "cases/detail.html",
        {
            "application": application,
            "case": case,
            "due": due,
            "days_left": due.days_left(calendar, today) if due and counting else None,
            "counting": counting,
            "limits": _limits(application.item_version) if due else None,
            "unconfirmed_years": deadlines.unconfirmed_years(case, calendar) if due else [],
            "acceptance_unconfirmed": calendar.unconfirmed_between(
                timezone.localdate(application.received_at), acceptance_due
            )
            if acceptance_due
            else [],
            "form_rows": _form_rows(application),
            "reveal_purposes": [(code, _(label)) for code, label in REVEAL_PURPOSES.items()],
            "files": application.files.select_related("material"),
            "events": application.events.select_related("department"),
            "steps": case.steps.select_related("department", "assignee") if case else [],
            "open_steps": open_steps,
            "suspensions": case.suspensions.all() if case else [],
            "documents": case.documents.select_related("document") if case else [],
            # The 电子证照 出证办结 issued: its page for those who keep licences, else verification.
            "issued_licences": application.issued_licences.select_related(
                "licence_type", "document"
            ),
            "can_open_licences": request.user.has_role(*licence_policy.DESK_ROLES),
            "supervisions": case.supervisions.select_related("sent_by", "answered_by")
            if case
            else [],
            "moves": _moves(request.user, application, case, open_steps),
            "my_steps": _with_choices(case, _my_steps(request.user, case, open_steps))
            if case
            else [],
            "duty_notes": _duty_notes(request.user, case, open_steps),
            "suspension_kinds": Suspension.Kind.choices,
            "refusal_grounds": RefusalGround.choices,
            "commitments": application.commitments.select_related("material", "closed_by"),
            "correction_materials": required_materials(application)
            if application.status == Status.SUBMITTED
            else [],
            "can_find_false": request.user.has_role(Role.APPROVER),
            "acceptance_due": acceptance_due,
            "instant": instant.for_handler(application),
            "masked_id": application.masked_applicant_id,
            "masked_phone": application.masked_contact_phone,
            "today": today,
        },
    )


def _date(value: str):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _verdict(value: str | None) -> bool:
    """核查结论 must be chosen explicitly: a missing answer is never read as "false"."""
    if value not in ("true", "false"):
        raise ValidationError({"verdict": [_("请选择核查结论")]})
    return value == "true"


def _approval(value: str | None) -> bool:
    """准予 or 不予 of a 即办件 must be chosen: nothing is pre-selected, and a missing answer is
    never read as either."""
    if value not in ("approve", "deny"):
        raise ValidationError({"decision": [_("请选择准予或不予")]})
    return value == "approve"


def _ticked_materials(request) -> dict[int, str]:
    """The materials ticked in the 补正 form, each with its optional problem text."""
    ticked = request.POST.getlist("materials")
    if not all(pk.isdigit() for pk in ticked):
        raise ValidationError({"materials": [_("所选材料无效，请刷新页面后重新勾选")]})
    return {int(pk): request.POST.get(f"note_{pk}", "")[:200] for pk in ticked}


def _confirmed(request, field: str, refusal: str = "") -> str:
    """A final act (出证办结, 不予受理) is made only with its confirmation ticked, so one stray click
    does not issue documents: the form's checkbox, checked here since a page without JavaScript or
    an old tab can post without it. Returns the posted `field`."""
    if request.POST.get("confirm") != "yes":
        raise ValidationError(
            {"confirm": [refusal or _("请先勾选“我已核对审批结果和将签发的文书”，再办结")]}
        )
    return request.POST.get(field, "")


MOVES = {
    "accept": lambda r, a: actions.accept(
        application=a, actor=r.user, opinion=r.POST.get("opinion", "")
    ),
    "refuse": lambda r, a: actions.refuse(
        application=a,
        actor=r.user,
        reason=_confirmed(
            r, "reason", _("请先勾选“我已核对不予受理的情形、理由和依据”，再签发决定书")
        ),
        legal_basis=r.POST.get("legal_basis", ""),
        ground=r.POST.get("ground", ""),
        refer_to=r.POST.get("refer_to", ""),
    ),
    "correction": lambda r, a: actions.request_correction(
        application=a,
        actor=r.user,
        materials=_ticked_materials(r),
        items=[r.POST.get("other", ""), *r.POST.get("items", "").splitlines()],
    ),
    "decide_now": lambda r, a: actions.decide_immediately(
        application=a,
        actor=r.user,
        approve=_approval(r.POST.get("decision")),
        reason=r.POST.get("opinion", ""),
    ),
    "step": lambda r, a: actions.complete_step(
        application=a,
        actor=r.user,
        step_id=int(r.POST.get("step") or 0),
        action=r.POST.get("action", ""),
        opinion=r.POST.get("opinion", ""),
    ),
    "suspend": lambda r, a: actions.start_suspension(
        application=a,
        actor=r.user,
        kind=r.POST.get("kind", ""),
        reason=r.POST.get("reason", ""),
        started_on=_date(r.POST.get("started_on")),
    ),
    "resume": lambda r, a: actions.end_suspension(
        application=a,
        actor=r.user,
        ended_on=_date(r.POST.get("ended_on")),
        result=r.POST.get("result", ""),
    ),
    "extend": lambda r, a: actions.extend(
        application=a, actor=r.user, reason=r.POST.get("reason", "")
    ),
    "complete": lambda r, a: actions.complete(
        application=a, actor=r.user, result=_confirmed(r, "result")
    ),
    "deliver": lambda r, a: actions.register_delivery(
        application=a,
        actor=r.user,
        method=r.POST.get("method", ""),
        tracking_number=r.POST.get("tracking_number", ""),
        receiver_name=r.POST.get("receiver_name", ""),
    ),
    "supervise": lambda r, a: actions.supervise(
        application=a, actor=r.user, message=r.POST.get("message", "")
    ),
    "verify_commitment": lambda r, a: commitments.verify_commitment(
        application=a,
        actor=r.user,
        commitment_id=int(r.POST.get("commitment") or 0),
        truthful=_verdict(r.POST.get("verdict")),
        note=r.POST.get("note", ""),
    ),
}
DONE = {
    "accept": gettext_lazy("已受理，受理通知书已签发"),
    "refuse": gettext_lazy("已作出不予受理决定"),
    "correction": gettext_lazy("补正告知书已发出"),
    "decide_now": gettext_lazy("即办件已当场办理"),
    "step": gettext_lazy("已提交本环节意见"),
    "suspend": gettext_lazy("特别程序已开始，计时暂停"),
    "resume": gettext_lazy("特别程序已结束，期限已顺延"),
    "extend": gettext_lazy("已延长审批期限"),
    "complete": gettext_lazy("已办结"),
    "deliver": gettext_lazy("已登记送达"),
    "supervise": gettext_lazy("督办通知已发送"),
    "verify_commitment": gettext_lazy("承诺核查结果已记录"),
}


@staff_required
@require_POST
def act(request, public_id, move):
    application = _staff_application(request, public_id)
    if move not in MOVES:
        raise PermissionDenied(_("不支持的操作"))
    try:
        MOVES[move](request, application)
    except ValidationError as error:
        text = (
            "；".join(m for ms in error.message_dict.values() for m in ms)
            if hasattr(error, "error_dict")
            else "；".join(error.messages)
        )
        messages.error(request, text)
    # A refusal (cases.policy.Refused, separation of duties …) is django's PermissionDenied: it
    # answers 403 with its reason on the error page, not a message on the case page.
    except ValueError:
        messages.error(request, _("提交的数据有误"))
    else:
        messages.success(request, DONE[move])
    return redirect("cases:detail", public_id)


@staff_required
@require_POST
def answer(request, public_id, notice_id: int):
    _staff_application(request, public_id)
    try:
        actions.answer_supervision(
            notice_id=notice_id, actor=request.user, answer=request.POST.get("answer", "")
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("督办答复已提交"))
    return redirect("cases:detail", public_id)


@role_required(Role.SUPERVISOR)
def supervision(request):
    """督办: warned and overdue cases per department."""
    per_department = (
        Case.objects.filter(application__status=Status.ACCEPTED)
        .values("department__name")
        .annotate(
            yellow=Count("pk", filter=Q(warning="yellow")),
            red=Count("pk", filter=Q(warning="red")),
            total=Count("pk"),
        )
        .order_by("-red", "-yellow", "department__name")
    )
    cases = (
        Application.objects.filter(status=Status.ACCEPTED, case__warning__in=["yellow", "red"])
        .select_related("item_version", "case__department")
        # 处理人: who holds each open step now (or its role's queue), read in one query.
        .prefetch_related(
            Prefetch(
                "case__steps",
                queryset=ReviewStep.objects.filter(finished_at=None)
                .select_related("assignee", "department")
                .order_by("pk"),
                to_attr="open_steps",
            )
        )
        .annotate(last_supervised=Max("case__supervisions__sent_at"))
        .order_by("case__effective_due_date", "pk")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    since = _date(request.GET.get("since", "")) or today.replace(day=1)
    until = _date(request.GET.get("until", "")) or today
    return render(
        request,
        "cases/supervision.html",
        {
            "per_department": per_department,
            "page": page,
            "since": since,
            "until": until,
            "figures": statistics.handling_figures(since, until),
        },
    )


@role_required(Role.SUPERVISOR)
@require_POST
def supervise_from_list(request, public_id):
    """督办 sent from a row of the supervisor's table (cases.actions.supervise, as on the case
    page); back to the same page of the table, the message saying on which case."""
    application = _staff_application(request, public_id)
    try:
        actions.supervise(
            application=application, actor=request.user, message=request.POST.get("message", "")
        )
    except ValidationError as error:
        messages.error(
            request,
            _("%(case)s：%(reason)s")
            % {"case": application.case_number, "reason": "；".join(error.messages)},
        )
    else:
        messages.success(
            request, _("已向 %(case)s 的承办人发送督办通知") % {"case": application.case_number}
        )
    page = request.POST.get("page", "")
    target = reverse("cases:supervision")
    return redirect(f"{target}?page={page}" if page.isdigit() else target)


def document_download(request, public_id, document_id: int | None = None):
    """A sealed document of the case, for the applicant (public ones) or staff of the department.
    Without `document_id`: the case's 补正告知书, a link 我的办件 can give without looking it up."""
    from django.http import FileResponse, Http404

    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    application = get_object_or_404(
        Application.objects.select_related("service_item"), public_id=public_id
    )
    is_owner = request.user.pk == application.owner_id
    if not (is_owner or serves_department(request.user, application.service_item.department_id)):
        raise Http404(_("没有找到该文书"))
    documents = CaseDocument.objects.select_related("document").filter(
        case__application=application, **({"public": True} if is_owner else {})
    )
    if document_id is None:
        documents = documents.filter(document__document_type="correction_notice").order_by("-pk")
        item = documents.first()
        if item is None:
            raise Http404(_("没有找到该文书"))
    else:
        item = get_object_or_404(documents, pk=document_id)
    response = FileResponse(
        item.document.file.open("rb"),
        content_type="application/pdf",
        filename=f"{item.kind}-{item.document.number}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
