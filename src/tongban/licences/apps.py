from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "tongban.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self):
        from tongban.licences import actions
        from tongban.seals.actions import register_subject_status

        # A licence's PDF verifies with the licence's current status beside the signature.
        register_subject_status("licences.licence", actions.subject_status)
