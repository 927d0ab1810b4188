"""The message templates this domain sends (notify.seed loads every app's MESSAGE_TEMPLATES;
administrators edit the texts in the admin, and a load never overwrites an edited text).
Format: (code, name, {channel: (subject, body)}); the context each code gets is in docs/notify.md."""

MESSAGE_TEMPLATES = [
    (
        "case.deadline_warning",
        "办件即将超期（工作人员）",
        {
            "sms": (
                "",
                "{{ recipient_name }}，您承办的“{{ item_name }}”办件将于{{ due_date }}到期，"
                "请及时办理。",
            ),
            "inapp": (
                "即将超期：{{ item_name }}",
                "办件 {{ case_number }}（{{ item_name }}）将于 {{ due_date }} 到期，"
                "剩余 {{ days_left }} 个工作日，请及时办理。",
            ),
        },
    ),
    (
        "case.overdue",
        "办件已超期（工作人员）",
        {
            "sms": (
                "",
                "{{ recipient_name }}，您承办的“{{ item_name }}”办件已超期，请立即办理并说明原因。",
            ),
            "inapp": (
                "已超期：{{ item_name }}",
                "办件 {{ case_number }}（{{ item_name }}）已于 {{ due_date }} 超期，"
                "请立即办理，并在办件中填写超期原因。",
            ),
        },
    ),
    (
        "case.supervision",
        "督办通知",
        {
            "sms": (
                "",
                "{{ recipient_name }}，“{{ item_name }}”办件已被督办，"
                "请于{{ due_date }}前办结并反馈。",
            ),
            "inapp": (
                "督办通知：{{ item_name }}",
                "办件 {{ case_number }}（{{ item_name }}）已被{{ department }}督办。\n"
                "督办意见：{{ reason }}\n请于 {{ due_date }} 前办结并反馈办理情况。",
            ),
        },
    ),
    (
        "case.suspended",
        "特别程序开始（暂停计时）",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ item_name }}”因{{ procedure }}自{{ started_on }}起暂停计算办理时限。",
            ),
            "inapp": (
                "办理时限暂停：{{ item_name }}",
                "您申请的“{{ item_name }}”（办件编号 {{ case_number }}）需要进行{{ procedure }}，自{{ started_on }}起暂停计算办理时限，"
                "所需时间不计入审查期限（《中华人民共和国行政许可法》第四十五条）。",
            ),
        },
    ),
    (
        "case.resumed",
        "特别程序结束（恢复计时）",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ item_name }}”{{ procedure }}已结束，办结期限顺延至{{ due_date }}。",
            ),
            "inapp": (
                "恢复计时：{{ item_name }}",
                "您申请的“{{ item_name }}”（办件编号 {{ case_number }}）{{ procedure }}已结束，恢复计算办理时限，办结期限顺延至{{ due_date }}。",
            ),
        },
    ),
    (
        "case.extended",
        "延长审批期限",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ item_name }}”审批期限经批准延长{{ days }}个工作日，至{{ due_date }}。",
            ),
            "inapp": (
                "审批期限延长：{{ item_name }}",
                "您申请的“{{ item_name }}”（办件编号 {{ case_number }}）经本机关负责人批准，审批期限延长{{ days }}个工作日，"
                "办结期限延至{{ due_date }}。理由：{{ reason }}",
            ),
        },
    ),
    # 容缺受理 and 告知承诺 (cases.commitments).
    (
        "case.deferred_reminder",
        "容缺材料补交提醒",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ item_name }}”有容缺材料需在{{ due_date }}前补交，"
                "逾期将不予许可。",
            ),
            "inapp": (
                "请补交容缺材料：{{ item_name }}",
                "您申请的“{{ item_name }}”（办件编号 {{ case_number }}）已容缺受理，"
                "请于 {{ due_date }} 前在“我的办件”中补交：{{ materials }}。"
                "逾期未补交的，将依规作出不予许可决定并补交逾期办结。",
            ),
        },
    ),
    (
        "case.deferred_overdue",
        "容缺材料逾期未补交",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ item_name }}”因容缺材料逾期未补交，已不予许可并办结。",
            ),
            "inapp": (
                "容缺材料逾期未补交：{{ item_name }}",
                "您申请的“{{ item_name }}”（办件编号 {{ case_number }}）的容缺材料未在 {{ due_date }} 前补交，"
                "{{ department }}已依规作出不予许可决定并补交逾期办结。如仍需办理，请重新申请。",
            ),
        },
    ),
    (
        "case.correction_abandoned",
        "逾期未补正，视为放弃申请",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您申请的“{{ item_name }}”未在{{ due_date }}前补正，"
                "视为放弃申请，已办结。",
            ),
            "inapp": (
                "逾期未补正，视为放弃申请：{{ item_name }}",
                "您申请的“{{ item_name }}”（办件编号 {{ case_number }}）未在补正告知书规定的 "
                "{{ due_date }} 前补正，依照告知书视为放弃申请，{{ department }}已作补交逾期办结。"
                "如仍需办理，请重新申请。",
            ),
        },
    ),
    (
        "case.commitment_false",
        "告知承诺核查不实",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您在“{{ item_name }}”中作出的承诺经核查不实，"
                "请登录查看处理决定。",
            ),
            "inapp": (
                "承诺核查不实：{{ item_name }}",
                "您在“{{ item_name }}”（办件编号 {{ case_number }}）中作出的告知承诺经{{ department }}核查与实际情况不符："
                "{{ reason }}\n处理结果：{{ result }}。该情况已记入信用记录。"
                "如不服，可以依法申请行政复议或者提起行政诉讼。",
            ),
        },
    ),
]
