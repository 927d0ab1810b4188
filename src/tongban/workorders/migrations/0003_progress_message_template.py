from django.db import migrations


def load(apps, schema_editor):
    from tongban.notify import seed

    seed.load(apps.get_model("notify", "MessageTemplate"))  # adds workorder.progress, keeps edits


class Migration(migrations.Migration):
    dependencies = [("workorders", "0002_callback_deadline"), ("notify", "0007_correction_abandoned_template")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
