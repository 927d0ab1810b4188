from django.apps import AppConfig


class SealsConfig(AppConfig):
    name = "tongban.seals"
    label = "seals"
    verbose_name = "电子印章与文书"
