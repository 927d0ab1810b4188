"""Admin: everything here is derived from other domains' records or written by the supervision
service layer (findings, screen tokens, monthly reports), so administrators read it and change
nothing. A screen token's digest is never shown."""

from django.contrib import admin

from tongban.core.admin import ReadOnlyMixin
from tongban.supervision.models import (
    CaseFact,
    DailyCaseFigure,
    DailyExchangeFigure,
    DailyHallFigure,
    DailyRatingFigure,
    DailyServiceFigure,
    Finding,
    MonthlyCaseFigure,
    MonthlyReport,
    ScreenToken,
    StepNorm,
    Watermark,
)


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


admin.site.register(
    [
        Watermark,
        CaseFact,
        DailyCaseFigure,
        MonthlyCaseFigure,
        DailyRatingFigure,
        DailyExchangeFigure,
        DailyHallFigure,
        DailyServiceFigure,
        StepNorm,
        Finding,
        MonthlyReport,
    ],
    ReadOnlyAdmin,
)


@admin.register(ScreenToken)
class ScreenTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "hint", "issued_at", "revoked_at", "last_used_at")
    exclude = ("digest",)
