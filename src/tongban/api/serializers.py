from rest_framework import serializers

from tongban.core import bounds


class IdentifierCheckRequest(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=[
            ("citizen_id", "公民身份号码"),
            ("uscc", "统一社会信用代码"),
            ("region", "行政区划代码"),
        ],
        error_messages={"invalid_choice": "不支持的类型，可选 citizen_id、uscc、region"},
    )
    value = serializers.CharField(max_length=40, trim_whitespace=True, allow_blank=True)


class IdentifierCheckResult(serializers.Serializer):
    valid = serializers.BooleanField()
    reason = serializers.CharField(help_text="不通过时的具体原因，例如“校验位错误”")
    details = serializers.DictField(help_text="从号码中读出的信息，例如区划、出生日期、性别")


class DueDateRequest(serializers.Serializer):
    start = bounds.BoundedDateField(help_text="起算日（当天不计入）")
    days = serializers.IntegerField(
        min_value=0,
        max_value=1000,
        error_messages={
            "min_value": "工作日数不能为负数",
            "max_value": "工作日数不能超过1000",
            "invalid": "工作日数应为整数",
        },
    )


class DueDateResult(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    due_date = serializers.DateField(
        help_text="到期日；未确认年度按《全国年节及纪念日放假办法》的法定节假日及补假计算"
    )
    latest_due_date = serializers.DateField(
        help_text="最晚可能的到期日：未确认年度中各节日前后可能调休放假的日期也按休息日计算；"
        "已确认时与 due_date 相同。系统自动作出的决定（如视为受理）只在此日期之后作出"
    )
    confirmed = serializers.BooleanField(
        help_text="期间所有年度的节假日安排均已确认（节假日数据包收录，或管理员确认已完整录入）"
    )
    unconfirmed_years = serializers.ListField(child=serializers.IntegerField())
