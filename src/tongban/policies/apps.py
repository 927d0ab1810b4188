from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "tongban.policies"
    verbose_name = "惠民惠企政策（免申即享）"
