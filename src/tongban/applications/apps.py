from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "tongban.applications"
    label = "applications"
    verbose_name = "网上申办"

    def ready(self):
        from tongban.applications import handlers
        from tongban.core import events
        from tongban.licences import actions as licences
        from tongban.licences.events import LicenceCancelled, LicenceIssued

        events.subscribe(LicenceIssued, handlers.show_licence_on_timeline)
        events.subscribe(LicenceCancelled, handlers.show_cancellation_on_timeline)
        licences.register_case_finder(handlers.find_case)
