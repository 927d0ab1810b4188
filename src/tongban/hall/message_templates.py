"""The message templates this domain sends (notify.seed loads every app's MESSAGE_TEMPLATES;
administrators edit the texts in the admin, and a load never overwrites an edited text).
Format: (code, name, {channel: (subject, body)}); the context each code gets is in docs/notify.md."""

MESSAGE_TEMPLATES = [
    (
        "hall.reminder",
        "大厅预约提醒",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您预约了{{ day }} {{ start }}{{ hall_name }}"
                "“{{ group_name }}”，预约号{{ reference }}，请按时到厅签到。",
            ),
            "inapp": (
                "预约提醒：{{ day }} {{ start }} {{ hall_name }}",
                "您已预约 {{ day }} {{ start }} 到{{ hall_name }}“{{ group_name }}”办事，"
                "预约号 {{ reference }}。\n请于预约时段前到大厅，在自助终端或用手机扫大厅二维码签到取号，"
                "签到后优先叫号。如不能前往，请提前取消；多次爽约将暂停预约。",
            ),
        },
    ),
]
