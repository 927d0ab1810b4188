from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "办件办理"

    def ready(self):
        from tongban.applications import corrections
        from tongban.applications.events import ApplicationResubmitted
        from tongban.cases import actions, handlers, tasks
        from tongban.core import events
        from tongban.core.workdays import CalendarCorrected

        events.subscribe(ApplicationResubmitted, handlers.answer_correction)
        events.subscribe(CalendarCorrected, tasks.on_calendar_corrected, after_commit=True)
        corrections.provide(actions.open_correction)
