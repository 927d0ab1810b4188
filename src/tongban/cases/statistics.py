"""Handling statistics per department over a period, from completed cases: how many, the average
working days used, and the shares finished on time (by the promised due date in force at
completion, suspensions and extension included) and early (before it)."""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q

from tongban.cases.models import Case


@dataclass
class DepartmentFigures:
    department: str
    completed: int
    average_working_days: float | None
    on_time: int
    early: int

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.completed, 1) if self.completed else None

    @property
    def early_rate(self) -> float | None:
        return round(100 * self.early / self.completed, 1) if self.completed else None


def handling_figures(since: datetime.date, until: datetime.date) -> list[DepartmentFigures]:
    completed = Case.objects.filter(
        completed_at__date__gte=since,
        completed_at__date__lte=until,
        accepted_on__isnull=False,
        effective_due_date__isnull=False,
    )
    rows = (
        completed.values("department__name")
        .annotate(
            completed=Count("pk"),
            average=Avg("working_days_used"),
            on_time=Count("pk", filter=Q(completed_at__date__lte=F("effective_due_date"))),
            early=Count("pk", filter=Q(completed_at__date__lt=F("effective_due_date"))),
        )
        .order_by("department__name")
    )
    return [
        DepartmentFigures(
            row["department__name"],
            row["completed"],
            round(row["average"], 1) if row["average"] is not None else None,
            row["on_time"],
            row["early"],
        )
        for row in rows
    ]
