"""The message templates this domain sends (notify.seed loads every app's MESSAGE_TEMPLATES;
administrators edit the texts in the admin, and a load never overwrites an edited text).
Format: (code, name, {channel: (subject, body)}); the context each code gets is in docs/notify.md."""

MESSAGE_TEMPLATES = [
    (
        "licence.expiring",
        "证照即将到期",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您的{{ licence_name }}将于{{ expiry_date }}到期，"
                "如需延续请及时申请。",
            ),
            "inapp": (
                "证照即将到期：{{ licence_name }}",
                "您的{{ licence_name }}将于 {{ expiry_date }} 到期。\n"
                "如需继续使用，请在到期前申请延续，以免影响正常经营或办事。",
            ),
            "email": (
                "【{{ platform_name }}】证照即将到期：{{ licence_name }}",
                "{{ recipient_name }}您好：\n\n您的{{ licence_name }}将于 {{ expiry_date }} 到期。"
                "如需继续使用，请在到期前申请延续。\n\n{{ link }}\n\n{{ platform_name }}",
            ),
        },
    ),
    (
        "licence.revoked",
        "证照已撤销",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您的{{ licence_name }}已被{{ department }}依法撤销，"
                "请登录查看撤销决定书。",
            ),
            "inapp": (
                "证照已撤销：{{ licence_name }}",
                "您的{{ licence_name }}已被{{ department }}依法撤销，自即日起不再有效，不能继续使用。\n"
                "撤销理由：{{ reason }}\n撤销决定书可在证照详情中下载。"
                "如不服，可以依法申请行政复议或者提起行政诉讼。",
            ),
        },
    ),
    (
        "licence.cancelled",
        "证照已注销",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您的{{ licence_name }}已由{{ department }}注销，"
                "请登录查看。",
            ),
            "inapp": (
                "证照已注销：{{ licence_name }}",
                "您的{{ licence_name }}已由{{ department }}办理注销，自即日起不再有效。\n"
                "注销原因：{{ reason }}",
            ),
        },
    ),
]
