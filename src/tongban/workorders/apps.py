from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "tongban.workorders"
    verbose_name = "12345工单"
