from django.db import migrations


def load(apps, schema_editor):
    from tongban.policies import seed

    seed.load(apps.get_model("notify", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0001_initial"),
        ("notify", "0008_deliveries_to_phones_and_secret_texts"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
