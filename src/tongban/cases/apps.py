from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "办件办理"

    def ready(self):
        from tongban.cases import tasks
        from tongban.core import workdays

        workdays.calendar_corrected.connect(tasks.on_calendar_corrected, dispatch_uid="cases")
