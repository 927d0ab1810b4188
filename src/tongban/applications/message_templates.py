"""The message templates this domain sends (notify.seed loads every app's MESSAGE_TEMPLATES;
administrators edit the texts in the admin, and a load never overwrites an edited text).
Format: (code, name, {channel: (subject, body)}); the context each code gets is in docs/notify.md."""

MESSAGE_TEMPLATES = [
    (
        "application.submitted",
        "申请已提交",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ item_name }}”已提交，"
                "请留意受理结果，可登录{{ platform_name }}查看进度。",
            ),
            "inapp": (
                "申请已提交：{{ item_name }}",
                "您申请的“{{ item_name }}”已提交，办件编号 {{ case_number }}。\n"
                "工作人员将按规定时限进行受理审查，结果会通过消息中心和短信告知您。",
            ),
            "email": (
                "【{{ platform_name }}】申请已提交：{{ item_name }}",
                "{{ recipient_name }}您好：\n\n您申请的“{{ item_name }}”已提交，"
                "办件编号 {{ case_number }}。\n工作人员将按规定时限进行受理审查。\n\n"
                "查看进度：{{ link }}\n\n{{ platform_name }}",
            ),
        },
    ),
    (
        "application.accepted",
        "已受理",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ item_name }}”已受理，"
                "承诺于{{ due_date }}前办结。",
            ),
            "inapp": (
                "已受理：{{ item_name }}",
                "您申请的“{{ item_name }}”（办件编号 {{ case_number }}）已由{{ department }}受理，"
                "承诺于 {{ due_date }} 前办结。",
            ),
            "email": (
                "【{{ platform_name }}】已受理：{{ item_name }}",
                "{{ recipient_name }}您好：\n\n您申请的“{{ item_name }}”（办件编号 {{ case_number }}）"
                "已由{{ department }}受理，承诺于 {{ due_date }} 前办结。\n\n"
                "查看进度：{{ link }}\n\n{{ platform_name }}",
            ),
        },
    ),
    (
        "application.correction_needed",
        "需补正材料",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ item_name }}”需补正材料，"
                "请登录{{ platform_name }}查看补正告知并按时提交。",
            ),
            "inapp": (
                "需补正材料：{{ item_name }}",
                "您申请的“{{ item_name }}”（办件编号 {{ case_number }}）需要补正以下内容：\n"
                "{{ reason }}\n请在 {{ due_date }} 前提交补正材料，逾期未补正的视为放弃申请。",
            ),
            "email": (
                "【{{ platform_name }}】需补正材料：{{ item_name }}",
                "{{ recipient_name }}您好：\n\n您申请的“{{ item_name }}”（办件编号 {{ case_number }}）"
                "需要补正以下内容：\n{{ reason }}\n\n请在 {{ due_date }} 前提交补正材料。\n\n"
                "提交补正：{{ link }}\n\n{{ platform_name }}",
            ),
        },
    ),
    (
        "application.rejected",
        "不予受理",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ item_name }}”不予受理，"
                "原因及救济途径请登录{{ platform_name }}查看。",
            ),
            "inapp": (
                "不予受理：{{ item_name }}",
                "您申请的“{{ item_name }}”（办件编号 {{ case_number }}）不予受理。\n"
                "理由：{{ reason }}\n"
                "如不服，可依法申请行政复议或提起行政诉讼。",
            ),
            "email": (
                "【{{ platform_name }}】不予受理：{{ item_name }}",
                "{{ recipient_name }}您好：\n\n您申请的“{{ item_name }}”（办件编号 {{ case_number }}）"
                "不予受理。\n理由：{{ reason }}\n如不服，可依法申请行政复议或提起行政诉讼。\n\n"
                "查看不予受理决定书：{{ link }}\n\n{{ platform_name }}",
            ),
        },
    ),
    (
        "application.decided",
        "已办结",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ item_name }}”已办结，"
                "请登录{{ platform_name }}查看办理结果。",
            ),
            "inapp": (
                "已办结：{{ item_name }}",
                "您申请的“{{ item_name }}”（办件编号 {{ case_number }}）已办结，"
                "办理结果：{{ result }}。\n电子证照或决定文书可在办件详情中查看和下载。",
            ),
            "email": (
                "【{{ platform_name }}】已办结：{{ item_name }}",
                "{{ recipient_name }}您好：\n\n您申请的“{{ item_name }}”（办件编号 {{ case_number }}）"
                "已办结，办理结果：{{ result }}。\n\n查看结果：{{ link }}\n\n{{ platform_name }}",
            ),
        },
    ),
]
