"""The message templates this domain sends (notify.seed loads every app's MESSAGE_TEMPLATES;
administrators edit the texts in the admin, and a load never overwrites an edited text).
Format: (code, name, {channel: (subject, body)}); the context each code gets is in docs/notify.md."""

MESSAGE_TEMPLATES = [
    (
        "rating.invitation",
        "邀请评价",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您办理的“{{ item_name }}”已办结，"
                "欢迎登录{{ platform_name }}评价本次服务。",
            ),
            "inapp": (
                "请评价：{{ item_name }}",
                "您办理的“{{ item_name }}”已办结。您的评价将帮助我们改进服务，"
                "差评将由专人回访整改。",
            ),
        },
    ),
    # 好差评 (ratings): the SMS second rating, bad-rating handling and the result to the rater.
    (
        "rating.sms_invitation",
        "短信评价邀请",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，“{{ item_name }}”已办结。"
                "回复1-5评价：5非常满意4满意3基本满意2不满意1非常不满意",
            ),
        },
    ),
    (
        "rating.bad_assigned",
        "差评待核实整改",
        {
            "inapp": (
                "差评待处理：{{ item_name }}",
                "{{ department }}收到一条差评（{{ level }}），办件编号 {{ case_number }}。"
                "请核实、回访评价人，并于 {{ due_date }} 前完成整改或解释。",
            ),
        },
    ),
    (
        "rating.appeal",
        "差评申诉待裁定",
        {
            "inapp": (
                "差评申诉待裁定：{{ item_name }}",
                "{{ department }}对一条差评（{{ level }}）提出申诉，请审核并裁定。",
            ),
        },
    ),
    (
        "rating.rectify_warning",
        "差评整改预警",
        {
            "inapp": (
                "差评整改{{ warning }}：{{ item_name }}",
                "{{ department }}的一条差评整改期限为 {{ due_date }}，剩余 {{ days_left }} 个工作日。",
            ),
        },
    ),
    (
        "rating.rectification_result",
        "差评处理结果",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您对“{{ item_name }}”的评价已处理：{{ outcome }}。"
                "欢迎登录评价整改结果。",
            ),
            "inapp": (
                "评价处理结果：{{ item_name }}",
                "您对“{{ item_name }}”（办件编号 {{ case_number }}）的评价已由{{ department }}处理："
                "{{ outcome }}。\n{{ result }}\n欢迎您对整改结果进行评价。",
            ),
        },
    ),
]
