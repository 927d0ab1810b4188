"""The message templates the platform ships with (loaded by migration 0002; edited in the admin).

Context each sender provides (documented in docs/notify.md): item_name 事项名称, case_number 办件编号,
due_date / expiry_date (text), reason, licence_name, department. Always available: recipient_name
(masked: 张**), platform_name, link (absolute URL when the sender gives one).
SMS bodies stay short (≈70 characters with typical values) and carry no personal data beyond the
masked name: no ID numbers, phone numbers or reasons; details are behind the login.
"""

# (code, name, {channel: (subject, body)})
DEFAULT_TEMPLATES = [
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
    # 好差评 (ratings): the SMS second rating, bad-rating handling and the result to the rater.
    (
        "rating.sms_invitation",
        "短信评价邀请",
        {
            "sms": (
                "",
                "{{ recipient_name }}您好，“{{ item_name }}”已办结。"
                "回复1-5评价：1非常满意2满意3基本满意4不满意5非常不满意",
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


def load(message_template_model) -> int:
    """Create missing templates; never overwrite texts an administrator has edited."""
    created = 0
    for code, name, channels in DEFAULT_TEMPLATES:
        for channel, (subject, body) in channels.items():
            _, was_created = message_template_model.objects.get_or_create(
                code=code,
                channel=channel,
                defaults={"name": name, "subject": subject, "body": body},
            )
            created += was_created
    return created
