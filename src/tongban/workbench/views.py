"""Staff workbench pages."""

from django.shortcuts import render
from django.utils import timezone

from tongban.accounts.permissions import staff_required
from tongban.core import workdays


@staff_required
def home(request):
    this_year = timezone.localdate().year
    calendar = workdays.Calendar()
    unconfirmed = calendar.unconfirmed_years(range(this_year, this_year + 2))
    return render(
        request,
        "workbench/home.html",
        {
            "unconfirmed_years": unconfirmed,
            "roles": [role for role in request.user.staff_roles.all()],
        },
    )
