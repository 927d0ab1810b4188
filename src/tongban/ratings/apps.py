from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "tongban.ratings"
    verbose_name = "好差评"

    def ready(self):
        from tongban.cases.events import CaseCompleted
        from tongban.core import events
        from tongban.ratings import handlers

        events.subscribe(CaseCompleted, handlers.invite_to_rate)
