from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "tongban.supervision"
    label = "supervision"
    verbose_name = "效能监察与大屏"

    def ready(self):
        from tongban.cases.events import (
            CaseAccepted,
            CaseCompleted,
            CaseCorrectionRequested,
            CaseSuspensionEnded,
        )
        from tongban.core import events
        from tongban.supervision import summary

        # The periodic fold (tasks.fold) catches every change; these keep the figures of the
        # changes people watch most (受理, 补正, 特别程序结束, 办结) current within the same second.
        for event in (CaseAccepted, CaseCompleted, CaseCorrectionRequested):
            events.subscribe(event, summary.on_case_event, after_commit=True)
        events.subscribe(CaseSuspensionEnded, summary.on_suspension_ended, after_commit=True)
