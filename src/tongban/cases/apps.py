from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "办件办理"

    def ready(self):
        from tongban.applications import corrections, instant_view
        from tongban.applications.events import ApplicationResubmitted, ApplicationSubmitted
        from tongban.cases import actions, handlers, instant, tasks
        from tongban.core import events
        from tongban.core.workdays import CalendarCorrected

        events.subscribe(ApplicationResubmitted, handlers.answer_correction)
        events.subscribe(CalendarCorrected, tasks.on_calendar_corrected, after_commit=True)
        events.subscribe(ApplicationSubmitted, tasks.on_submitted, after_commit=True)
        corrections.provide(actions.open_correction)
        instant_view.provide(instant.summary_for_applicant)
