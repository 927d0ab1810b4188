from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "办件办理"

    def ready(self):
        from tongban.applications import corrections
        from tongban.applications.events import ApplicationResubmitted
        from tongban.cases import actions, handlers
        from tongban.core import events

        events.subscribe(ApplicationResubmitted, handlers.answer_correction)
        corrections.provide(actions.open_correction)
