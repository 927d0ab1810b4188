"""Message templates of the bundle domain (loaded by this app's data migration): one message to
the applicant for the whole bundle, however many members move."""

TEMPLATES = [
    (
        "bundle.correction_needed",
        "一件事需补正",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ bundle_name }}”中有事项需要补正，"
                "请登录{{ platform_name }}在该一件事页面一次补正。",
            ),
            "inapp": (
                "需补正：{{ bundle_name }}",
                "您申请的“{{ bundle_name }}”（编号 {{ number }}）中以下事项需要补正：\n{{ items }}\n"
                "请在 {{ due_date }} 前在一件事页面一次补正并重新提交，其他事项照常办理。",
            ),
        },
    ),
    (
        "bundle.completed",
        "一件事办结",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ bundle_name }}”已全部办结，"
                "请登录{{ platform_name }}下载联合办结通知书。",
            ),
            "inapp": (
                "已办结：{{ bundle_name }}",
                "您申请的“{{ bundle_name }}”（编号 {{ number }}）已全部办结，{{ summary }}。"
                "联合办结通知书（{{ document_number }}）可在一件事页面下载。",
            ),
        },
    ),
    (
        "bundle.deadline_warning",
        "一件事期限预警",
        {
            "inapp": (
                "一件事{{ level }}：{{ bundle_name }}",
                "“{{ bundle_name }}”（编号 {{ number }}）联合承诺办结日期为 {{ due_date }}，"
                "剩余 {{ days_left }} 个工作日。请督促各成员事项按时办结。",
            ),
        },
    ),
]


def load(message_template_model) -> int:
    created = 0
    for code, name, channels in TEMPLATES:
        for channel, (subject, body) in channels.items():
            _, was_created = message_template_model.objects.get_or_create(
                code=code,
                channel=channel,
                defaults={"name": name, "subject": subject, "body": body},
            )
            created += was_created
    return created
