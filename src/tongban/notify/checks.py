"""Start-up checks for notifications: retry settings, and a real mail server in production."""

from django.conf import settings
from django.core import checks

LOCAL_MAIL_BACKENDS = ("filebased", "console", "locmem", "dummy")


@checks.register("notify")
def check_notify_settings(app_configs=None, **kwargs):
    messages = []
    minutes = settings.NOTIFY_RETRY_MINUTES
    if not minutes or any(m <= 0 for m in minutes):
        messages.append(
            checks.Error(
                "TONGBAN_NOTIFY_RETRY_MINUTES 必须是逗号分隔的正整数", id="tongban.notify.E001"
            )
        )
    if settings.NOTIFY_MAX_ATTEMPTS < 1:
        messages.append(
            checks.Error("TONGBAN_NOTIFY_MAX_ATTEMPTS 至少为 1", id="tongban.notify.E002")
        )
    backend = settings.EMAIL_BACKEND
    if settings.PRODUCTION and any(b in backend for b in LOCAL_MAIL_BACKENDS):
        messages.append(
            checks.Warning(
                "生产模式下邮件不会真正发出（未配置邮件服务器）",
                hint="设置 TONGBAN_EMAIL_URL 或 TONGBAN_EMAIL_HOST",
                id="tongban.notify.W001",
            )
        )
    return messages
