"""The demo resources about enterprises (subject: the 统一社会信用代码): the enterprise register and
what 卫健, 人社 and the tax bureau hold about employers."""

from tongban.exchange.demo import enterprise_register
from tongban.exchange.demo.common import IMP, R, ResourceSpec, _i
from tongban.exchange.models import ShareCondition

SJ_QYDJ = ResourceSpec(
    "SJ_QYDJ",
    "企业登记信息",
    "sj",
    "JCK-FR",
    ShareCondition.UNCONDITIONAL,
    "",
    "local_table",
    "市场主体登记库",
    "uscc",
    [
        _i("qymc", "企业名称", required=True),
        _i("tyshxydm", "统一社会信用代码", required=True, rule=R.USCC),
        _i("fddbr", "法定代表人"),
        _i("clrq", "成立日期", "date"),
        _i("zs", "住所"),
        _i("djzt", "登记状态", rule=R.CODE_TABLE, table="存续|注销|吊销"),
        _i("jyfw", "经营范围"),
    ],
    enterprise_register.enterprises,
)


WJ_CYRYJK = ResourceSpec(
    "WJ_CYRYJK",
    "从业人员健康管理信息",
    "wj",
    "ZTK-JKBJ",
    ShareCondition.CONDITIONAL,
    "《公共场所卫生管理条例》第七条；仅限公共场所卫生许可核验",
    "local_table",
    "卫健从业人员健康管理库",
    "uscc",
    [
        _i("dwmc", "单位名称", required=True),
        _i("cyrs", "登记从业人员数", "integer"),
        _i("yxjkzms", "持有效健康合格证明人数", "integer"),
        _i("zzdqrq", "健康合格证明最早到期日期", "date", rule=R.DATE),
    ],
    enterprise_register.staff_health,
)


RS_QYCB = ResourceSpec(
    "RS_QYCB",
    "单位参保信息",
    "rs",
    "ZTK-SHBZ",
    ShareCondition.CONDITIONAL,
    "《社会保险法》第八十一条；仅限就业补贴、稳岗返还等惠企政策核定",
    "local_table",
    "人社参保库",
    "uscc",
    [
        _i("dwmc", "单位名称", required=True),
        _i("cbrs", "参保职工人数", "integer", required=True),
        _i("xzcbrs", "本年新增参保人数", "integer"),
        _i("cyl", "上年裁员率（%）", "decimal"),
        _i("qfzt", "欠费状态", rule=R.CODE_TABLE, table="无欠费|欠费"),
    ],
    enterprise_register.enterprise_insurance,
)


SW_CKZH = ResourceSpec(
    "SW_CKZH",
    "纳税人存款账户账号报告信息",
    "swj",
    "JCK-FR",
    ShareCondition.CONDITIONAL,
    "《税收征收管理法》第十七条：纳税人应将其全部账号向税务机关报告；仅限惠企政策资金拨付",
    "local_table",
    "税务征管库",
    "uscc",
    [
        _i("nsrmc", "纳税人名称", required=True),
        _i("nsrsbh", "纳税人识别号", required=True),
        _i("khyh", "开户银行", sensitivity=IMP),
        _i("yhzh", "账号", sensitivity=IMP, required=True),
    ],
    enterprise_register.enterprise_accounts,
)
