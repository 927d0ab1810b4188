from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tongban.exchange"
    label = "exchange"
    verbose_name = "数据共享交换"

    def ready(self):
        from tongban.exchange import tokens  # noqa: F401  (its receivers drop cached tokens)
