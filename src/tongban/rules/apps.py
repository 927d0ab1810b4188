from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "tongban.rules"
    label = "rules"
    verbose_name = "规则与智能秒批"
