from django.db import migrations


def load_templates(apps, schema_editor):
    from tongban.notify import seed

    seed.load(apps.get_model("notify", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notify", "0006_licence_status_templates")]

    operations = [migrations.RunPython(load_templates, migrations.RunPython.noop)]
