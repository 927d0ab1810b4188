from django.db import migrations

TEMPLATES = {
    "sms": (
        "",
        "{{ recipient_name }}您好，您已预约{{ day }} {{ start }}到{{ hall_name }}"
        "“{{ group_name }}”办事，预约号{{ reference }}，请按时到大厅自助终端签到取号。",
    ),
    "inapp": (
        "预约提醒：{{ day }} {{ start }} {{ hall_name }}",
        "您已预约 {{ day }} {{ start }} 到{{ hall_name }}“{{ group_name }}”办事，预约号 {{ reference }}。\n"
        "请于预约时段前到大厅，在自助终端或用手机扫大厅二维码签到取号，签到后优先叫号。"
        "如不能前往，请提前取消；多次爽约将暂停预约。",
    ),
}


def load(apps, schema_editor):
    template = apps.get_model("notify", "MessageTemplate")
    for channel, (subject, body) in TEMPLATES.items():
        template.objects.get_or_create(
            code="hall.reminder",
            channel=channel,
            defaults={"name": "大厅预约提醒", "subject": subject, "body": body},
        )


class Migration(migrations.Migration):
    dependencies = [("hall", "0001_initial"), ("notify", "0005_commitment_templates")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
