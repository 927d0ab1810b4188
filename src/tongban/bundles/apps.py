from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "tongban.bundles"
    label = "bundles"
    verbose_name = "高效办成一件事"

    def ready(self):
        from tongban.applications.events import ApplicationResubmitted
        from tongban.bundles import handlers
        from tongban.cases.events import (
            CaseAccepted,
            CaseCompleted,
            CaseCorrectionRequested,
            CaseRefused,
        )
        from tongban.core import events

        # Joint status follows the members in the members' own transaction; what may fail (starting
        # a dependent member, signing the joint result) runs after commit and is retried.
        for event in (
            CaseAccepted,
            CaseCompleted,
            CaseCorrectionRequested,
            CaseRefused,
            ApplicationResubmitted,
        ):
            events.subscribe(event, handlers.follow_member)
        events.subscribe(CaseCompleted, handlers.start_dependents, after_commit=True)
        events.subscribe(CaseCompleted, handlers.issue_joint_result, after_commit=True)
        events.subscribe(CaseCorrectionRequested, handlers.tell_correction, after_commit=True)
