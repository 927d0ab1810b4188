from django.db import migrations


def load(apps, schema_editor):
    from tongban.notify import seed

    seed.load(apps.get_model("notify", "MessageTemplate"))  # adds hall.reminder, keeps edits


class Migration(migrations.Migration):
    dependencies = [("hall", "0001_initial"), ("notify", "0005_commitment_templates")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
