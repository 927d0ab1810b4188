"""The worker side of 材料识别: OCR never runs in a web request."""

from celery import shared_task

from tongban.ocr import actions


@shared_task(name="tongban.ocr.run_recognition", acks_late=True)
def run_recognition_task(recognition_id: int) -> str:
    recognition = actions.run_recognition(recognition_id)
    return recognition.status if recognition else "skipped"
