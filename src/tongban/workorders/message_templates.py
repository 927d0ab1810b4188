"""The message templates this domain sends (notify.seed loads every app's MESSAGE_TEMPLATES;
administrators edit the texts in the admin, and a load never overwrites an edited text).
Format: (code, name, {channel: (subject, body)}).

workorder.progress: the in-app message a signed-in reporter gets at each step of their order
(立案, 派单, 办结, 重办, 并单, 结案 …). Context: number 工单编号, stage (what happened, short),
detail (the department's reply or the reason, may be empty). SMS to reporters without an account
stay as they are (workorders.actions.common.tell_reporter)."""

MESSAGE_TEMPLATES = [
    (
        "workorder.progress",
        "12345工单进度",
        {
            "inapp": (
                "工单{{ number }}：{{ stage }}",
                "您反映的问题（工单{{ number }}）{{ stage }}。{% if detail %}{{ detail }}{% endif %}"
                "点击查看办理过程{% if can_rate %}并评价办理结果{% endif %}。",
            ),
        },
    ),
]
