"""The policies' message templates (loaded by migration 0002 and again by the demo loader, since a
flushed test database loses what migrations put in; never overwrites an administrator's edits).

SMS bodies carry no personal data beyond the masked name, and no reasons: those are behind the
login, as notify's seed templates do."""

TEMPLATES = [
    (
        "policy.granted",
        "政策免申即享",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您符合“{{ policy_name }}”，无需申请，"
                "{{ amount_text }}按期发放。详情请登录{{ platform_name }}查看可享政策。",
            ),
            "inapp": (
                "免申即享：{{ policy_name }}",
                "{{ reason }}\n无需申请，{{ amount_text }}，由{{ department }}按期发放。"
                "如有疑问，可在“可享政策”中提出异议。",
            ),
        },
    ),
    (
        "policy.offer",
        "政策一键确认",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您可享受“{{ policy_name }}”（{{ amount_text }}），"
                "登录{{ platform_name }}“可享政策”一键确认即可。",
            ),
            "inapp": (
                "可享政策：{{ policy_name }}",
                "{{ reason }}\n{{ amount_text }}。在“可享政策”中一键确认即可领取，无需提交材料。",
            ),
        },
    ),
    (
        "policy.notice",
        "政策精准推送",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，您可能符合“{{ policy_name }}”，"
                "详情请登录{{ platform_name }}查看可享政策。",
            ),
            "inapp": (
                "政策推送：{{ policy_name }}",
                "{{ reason }}\n请按指引申请办理。",
            ),
        },
    ),
    (
        "policy.payment_failed",
        "政策资金发放失败",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，“{{ policy_name }}”资金发放未成功，"
                "请登录{{ platform_name }}“可享政策”核对发放账户。",
            ),
            "inapp": (
                "发放未成功：{{ policy_name }}",
                "银行反馈：{{ reason }}。请在“可享政策”中核对或更换发放账户，更正后将重新发放。",
            ),
        },
    ),
    (
        "policy.objection_answered",
        "政策异议已答复",
        {
            "inapp": (
                "异议已答复：{{ policy_name }}",
                "{{ department }}已答复您对“{{ policy_name }}”提出的异议，请在“可享政策”中查看。",
            ),
        },
    ),
    (
        "policy.budget_exceeded",
        "政策预算不足",
        {
            "inapp": (
                "预算不足：{{ policy_name }}",
                "本次发放批次中有 {{ count }} 笔超出预算上限（{{ budget }} 元），已暂缓发放。"
                "请调整预算后在批次中更正。",
            ),
        },
    ),
]


def load(template) -> None:
    for code, name, channels in TEMPLATES:
        for channel, (subject, body) in channels.items():
            template.objects.get_or_create(
                code=code,
                channel=channel,
                defaults={"name": name, "subject": subject, "body": body},
            )
