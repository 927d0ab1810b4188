from django.apps import AppConfig


class OcrConfig(AppConfig):
    name = "tongban.ocr"
    label = "ocr"
    verbose_name = "材料识别"
