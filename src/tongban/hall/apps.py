from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "tongban.hall"
    verbose_name = "智慧大厅"
