"""The SMS rating invitation counts like the stars (5 = 非常满意), as the webhook now reads replies:
the shipped text is replaced where it is still the old default (1 = 非常满意); a text an
administrator edited is left alone (docs/ratings.md says to check it)."""

from django.db import migrations

OLD = (
    "{{ recipient_name }}您好，“{{ item_name }}”已办结。"
    "回复1-5评价：1非常满意2满意3基本满意4不满意5非常不满意"
)
NEW = (
    "{{ recipient_name }}您好，“{{ item_name }}”已办结。"
    "回复1-5评价：5非常满意4满意3基本满意2不满意1非常不满意"
)


def forwards(apps, schema_editor):
    template = apps.get_model("notify", "MessageTemplate")
    template.objects.filter(code="rating.sms_invitation", channel="sms", body=OLD).update(body=NEW)


def backwards(apps, schema_editor):
    template = apps.get_model("notify", "MessageTemplate")
    template.objects.filter(code="rating.sms_invitation", channel="sms", body=NEW).update(body=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0001_initial"),
        ("notify", "0008_deliveries_to_phones_and_secret_texts"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
