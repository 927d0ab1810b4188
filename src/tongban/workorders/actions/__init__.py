"""The work-order service layer, by subject: intake (立案), handling (派单 … 办结反馈), closure
(回访, 并单, 即时答复, progress query) and alerts (IoT). Views, the API, the MQTT subscriber and the
Celery tasks call these functions and nothing else changes an order."""
