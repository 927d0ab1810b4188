"""Staff workbench pages: the home opens on the person's queue."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.accounts.permissions import staff_required
from tongban.accounts.roles import Role
from tongban.applications.states import Status
from tongban.cases.actions import deemed_acceptance_due
from tongban.cases.views import queue
from tongban.core import pii, workdays
from tongban.core.identifiers import IdType

# The queues counted on the home page, in the order they are shown: overdue work first.
QUEUES = (
    ("red", _("已超期")),
    ("yellow", _("将超期")),
    ("accept", _("待受理")),
    ("todo", _("待审核")),
)
URGENT_ROWS = 8


def _urgent(request, calendar, today) -> list[dict]:
    """The cases to look at first: overdue, then soon due (by due date), then the person's review
    steps, then the oldest applications waiting for acceptance (by their acceptance deadline)."""
    rows, seen = [], set()
    for tab in ("red", "yellow", "todo", "accept"):
        for application in queue(request, tab)[:URGENT_ROWS]:
            if application.pk in seen or len(rows) >= URGENT_ROWS:
                continue
            seen.add(application.pk)
            case = getattr(application, "case", None)
            if application.status == Status.SUBMITTED and application.received_at:
                due, what = deemed_acceptance_due(application.received_at, calendar), _("受理期限")
            else:
                due, what = (case.effective_due_date if case else None), _("办结期限")
            rows.append(
                {
                    "application": application,
                    "tab": tab,
                    "due": due,
                    "what": what,
                    "overdue": bool(due and due < today),
                    "today": due == today,
                    "applicant": pii.mask_name(application.applicant_name)
                    if application.applicant_id_type == IdType.CITIZEN_ID
                    else application.applicant_name,
                }
            )
    return rows


@staff_required
def home(request):
    user = request.user
    today = timezone.localdate()
    calendar = workdays.Calendar()
    # The warning that a year's holiday schedule is not confirmed goes to whoever can confirm it;
    # clerks see the consequence on each case's own dates instead.
    runs_platform = user.is_superuser or user.has_role(Role.PLATFORM_ADMIN)
    unconfirmed = (
        calendar.unconfirmed_years(range(today.year, today.year + 2)) if runs_platform else []
    )
    handles_cases = user.has_role(
        Role.WINDOW_CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR
    )
    counts, urgent = [], []
    if handles_cases:
        counts = [(tab, label, queue(request, tab).count()) for tab, label in QUEUES]
        urgent = _urgent(request, calendar, today)
    return render(
        request,
        "workbench/home.html",
        {
            "unconfirmed_years": unconfirmed,
            "runs_platform": runs_platform,
            "roles": [role for role in user.staff_roles.all()],
            "handles_cases": handles_cases,
            "counts": counts,
            "urgent": urgent,
            "today": today,
        },
    )
