"""Publish the shipped process templates (instant, promise, joint)."""

from django.db import migrations


def load(apps, schema_editor):
    from tongban.workflow.definitions import load_templates

    load_templates(model=apps.get_model("workflow", "ProcessDefinition"))


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
