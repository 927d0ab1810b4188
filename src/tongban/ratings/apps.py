from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "tongban.ratings"
    verbose_name = "好差评"
