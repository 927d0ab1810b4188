"""Loading the message templates every domain ships with (each app's `message_templates.py`,
loaded by migrations; edited in the admin).

Context each sender provides (documented in docs/notify.md): item_name 事项名称, case_number 办件编号,
due_date / expiry_date (text), reason, licence_name, department. Always available: recipient_name
(masked: 张**), platform_name, link (absolute URL when the sender gives one).
SMS bodies stay short (≈70 characters with typical values) and carry no personal data beyond the
masked name: no ID numbers, phone numbers or reasons; details are behind the login.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def default_templates() -> list[tuple[str, str, dict]]:
    """(code, name, {channel: (subject, body)}) of every installed Tongban app, in app order."""
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("tongban.") and module_has_submodule(
            config.module, "message_templates"
        ):
            found += import_module(f"{config.name}.message_templates").MESSAGE_TEMPLATES
    return found


def load(message_template_model) -> int:
    """Create missing templates; never overwrite texts an administrator has edited."""
    created = 0
    for code, name, channels in default_templates():
        for channel, (subject, body) in channels.items():
            _, was_created = message_template_model.objects.get_or_create(
                code=code,
                channel=channel,
                defaults={"name": name, "subject": subject, "body": body},
            )
            created += was_created
    return created
