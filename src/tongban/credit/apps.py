from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "tongban.credit"
    verbose_name = "信用记录"
