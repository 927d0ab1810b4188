from django.db import migrations


def load_templates(apps, schema_editor):
    from tongban.bundles import notices

    notices.load(apps.get_model("notify", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("bundles", "0001_initial"),
        ("notify", "0008_deliveries_to_phones_and_secret_texts"),
    ]

    operations = [migrations.RunPython(load_templates, migrations.RunPython.noop)]
