"""Demo 智能秒批: the data elements, three published rule sets with their tests, the three items
switched on, and staff of the three departments to configure, spot-check and revoke. Idempotent.

Demo applicants (exchange.demo.population): 网约车驾驶员从业资格证核发 — 李演示 passes, 王测试 fails on
the disqualifying-record clause (饮酒后驾驶); 大货车入市通行证 — 王测试 (豫KH6013, 国六) passes,
李演示 (豫KH4012, 国四) fails on the emission clause; 公共场所卫生许可 — 许昌示例餐饮管理有限公司
(8 staff, 8 valid health certificates) passes, 许昌示例洗浴服务有限公司 (6 staff, 4 certificates)
fails on the health-certificate clause.
"""

import datetime

from django.utils import timezone

from tongban.accounts import actions as accounts
from tongban.accounts.demo import PASSWORD
from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.catalog.models import ServiceItem
from tongban.core import demo as core_demo
from tongban.rules import actions as rules
from tongban.rules import grammar
from tongban.rules.models import RuleSet

EX, FORM = "exchange", "form"
AS_OF = {"op": "as_of", "args": []}

# (name, label, type, source, resource, code-table values)
ELEMENTS = [
    ("rk_rkjbxx.csrq", "出生日期（人口库）", grammar.DATE, EX, "RK_RKJBXX", []),
    (
        "ga_jdcjsz.zjcx",
        "准驾车型",
        grammar.STRING,
        EX,
        "GA_JDCJSZ",
        ["A1", "A2", "A3", "B1", "B2", "C1", "C2"],
    ),
    (
        "ga_jdcjsz.jszzt",
        "驾驶证状态",
        grammar.STRING,
        EX,
        "GA_JDCJSZ",
        ["正常", "超分", "吊销", "注销"],
    ),
    ("ga_jdcjsz.cclzrq", "初次领取驾驶证日期", grammar.DATE, EX, "GA_JDCJSZ", []),
    ("ga_jsraq.wfjl", "违法犯罪记录", grammar.LIST, EX, "GA_JSRAQ", []),
    ("ga_jsraq.jm12", "最近3个记分周期内记满12分", grammar.BOOL, EX, "GA_JSRAQ", []),
    ("ga_jdcdj.hphm", "登记号牌号码", grammar.STRING, EX, "GA_JDCDJ", []),
    (
        "ga_jdcdj.cllx",
        "车辆类型",
        grammar.STRING,
        EX,
        "GA_JDCDJ",
        ["重型货车", "中型货车", "轻型货车", "小型汽车"],
    ),
    ("ga_jdcdj.pfbz", "排放标准", grammar.STRING, EX, "GA_JDCDJ", ["国三", "国四", "国五", "国六"]),
    ("ga_jdcdj.jyyxqz", "检验有效期至", grammar.DATE, EX, "GA_JDCDJ", []),
    (
        "ga_jdcdj.zt",
        "机动车状态",
        grammar.STRING,
        EX,
        "GA_JDCDJ",
        ["正常", "逾期未检验", "查封", "注销"],
    ),
    ("sj_qydj.djzt", "营业执照登记状态", grammar.STRING, EX, "SJ_QYDJ", ["存续", "注销", "吊销"]),
    ("wj_cyryjk.yxjkzms", "持有效健康合格证明人数", grammar.NUMBER, EX, "WJ_CYRYJK", []),
    ("wj_cyryjk.zzdqrq", "健康合格证明最早到期日期", grammar.DATE, EX, "WJ_CYRYJK", []),
    ("form.plate_number", "申请的号牌号码", grammar.STRING, FORM, "", []),
    ("form.start_date", "通行起始日期", grammar.DATE, FORM, "", []),
    ("form.end_date", "通行截止日期", grammar.DATE, FORM, "", []),
    ("form.staff_count", "申报从业人员数", grammar.NUMBER, FORM, "", []),
    (
        "form.venue_kind",
        "场所类别",
        grammar.STRING,
        FORM,
        "",
        ["宾馆", "理发店", "美容店", "沐浴场所", "游泳场所", "商场（店）", "候车室"],
    ),
]


def _var(name):
    return {"var": name}


def _op(name, *args):
    return {"op": name, "args": list(args)}


RIDE_HAILING_BASIS = "《网络预约出租汽车经营服务管理暂行办法》第十四条"
RIDE_HAILING = {  # the structured editor's shape: one row per clause, editable in the workbench
    "root": {
        "all": [
            {
                "clause": "age",
                "label": "年满21周岁、不超过60周岁",
                "basis": f"{RIDE_HAILING_BASIS}；《许昌市网络预约出租汽车经营服务管理实施细则》（示例）",
                "test": _op("between", _op("years_between", _var("rk_rkjbxx.csrq"), AS_OF), 21, 60),
            },
            {
                "clause": "licence_class",
                "label": "取得相应准驾车型机动车驾驶证",
                "basis": f"{RIDE_HAILING_BASIS}第一项",
                "test": _op(
                    "in",
                    _var("ga_jdcjsz.zjcx"),
                    {"list": ["A1", "A2", "A3", "B1", "B2", "C1", "C2"]},
                ),
            },
            {
                "clause": "licence_valid",
                "label": "驾驶证状态正常",
                "basis": f"{RIDE_HAILING_BASIS}第一项",
                "test": _op("eq", _var("ga_jdcjsz.jszzt"), "正常"),
            },
            {
                "clause": "experience",
                "label": "具有3年以上驾驶经历",
                "basis": f"{RIDE_HAILING_BASIS}第一项",
                "test": _op(
                    "ge",
                    _op("years_between", _var("ga_jdcjsz.cclzrq"), AS_OF),
                    3,
                ),
            },
            {
                "clause": "records",
                "label": "无交通肇事犯罪、危险驾驶犯罪、吸毒、饮酒后驾驶和暴力犯罪记录",
                "basis": f"{RIDE_HAILING_BASIS}第二项、第三项",
                "test": _op(
                    "not",
                    _op(
                        "any_in",
                        _var("ga_jsraq.wfjl"),
                        {
                            "list": [
                                "交通肇事犯罪",
                                "危险驾驶犯罪",
                                "吸毒",
                                "饮酒后驾驶",
                                "暴力犯罪",
                            ]
                        },
                    ),
                ),
            },
            {
                "clause": "points",
                "label": "最近连续3个记分周期内没有记满12分记录",
                "basis": f"{RIDE_HAILING_BASIS}第二项",
                "test": _op("eq", _var("ga_jsraq.jm12"), False),
            },
        ]
    },
}

LORRY_BASIS = (
    "《中华人民共和国道路交通安全法》第三十九条；《许昌市货车限行区域通行管理规定》（示例）"
)
LORRY = {
    "constants": {"MAX_DAYS": {"type": "number", "value": 90, "label": "最长通行期限（日）"}},
    "root": {
        "all": [
            {
                "clause": "own_vehicle",
                "label": "申请车辆为申请人名下登记的车辆",
                "basis": "《中华人民共和国道路交通安全法》第八条",
                "test": _op("eq", _var("form.plate_number"), _var("ga_jdcdj.hphm")),
            },
            {
                "clause": "registered",
                "label": "车辆登记状态正常",
                "basis": "《中华人民共和国道路交通安全法》第八条、第十三条",
                "test": _op("eq", _var("ga_jdcdj.zt"), "正常"),
            },
            {
                "clause": "lorry",
                "label": "车辆为中、重型货车",
                "basis": LORRY_BASIS,
                "test": _op("in", _var("ga_jdcdj.cllx"), {"list": ["重型货车", "中型货车"]}),
            },
            {
                "clause": "emission",
                "label": "排放标准达到国五及以上",
                "basis": "《许昌市机动车排气污染防治规定》（示例）",
                "test": _op("in", _var("ga_jdcdj.pfbz"), {"list": ["国五", "国六"]}),
            },
            {
                "clause": "inspected",
                "label": "检验有效期覆盖整个通行期间",
                "basis": "《中华人民共和国道路交通安全法》第十三条",
                "test": _op("ge", _var("ga_jdcdj.jyyxqz"), _var("form.end_date")),
            },
            {
                "clause": "starts",
                "label": "通行起始日期不早于申请当日",
                "basis": LORRY_BASIS,
                "test": _op("ge", _var("form.start_date"), AS_OF),
            },
            {
                "clause": "period",
                "label": "通行期限不超过三个月",
                "basis": LORRY_BASIS,
                "test": _op(
                    "between",
                    _op("days_between", _var("form.start_date"), _var("form.end_date")),
                    0,
                    {"const": "MAX_DAYS"},
                ),
            },
        ]
    },
}

HYGIENE = {
    "constants": {},
    "root": {
        "all": [
            {
                "clause": "business_licence",
                "label": "营业执照处于存续状态",
                "basis": "《公共场所卫生管理条例实施细则》第二十二条",
                "test": _op("eq", _var("sj_qydj.djzt"), "存续"),
            },
            {
                "clause": "low_risk",
                "label": "场所属于可告知承诺审批的低风险类别（宾馆、理发店、美容店、商场）",
                "basis": "《国务院关于深化“证照分离”改革进一步激发市场主体发展活力的通知》附件",
                "test": _op(
                    "in",
                    _var("form.venue_kind"),
                    {"list": ["宾馆", "理发店", "美容店", "商场（店）"]},
                ),
            },
            {
                "clause": "health_certificates",
                "label": "从业人员均持有效健康合格证明",
                "basis": "《公共场所卫生管理条例》第七条",
                "test": _op("ge", _var("wj_cyryjk.yxjkzms"), _var("form.staff_count")),
            },
            {
                "clause": "certificates_current",
                "label": "健康合格证明自审批之日起30日内不到期",
                "basis": "《公共场所卫生管理条例实施细则》第十条",
                "test": _op("ge", _op("days_between", AS_OF, _var("wj_cyryjk.zzdqrq")), 30),
            },
        ]
    },
}

TEST_DAY = datetime.date(2026, 6, 1)
# (item name, department key, rule-set code, name, definition, tests: (name, facts, expected, clause))
RULE_SETS = [
    (
        "网约车驾驶员从业资格证核发",
        "jt",
        "WYC_JSY_ZGZ",
        "网约车驾驶员从业资格核发条件",
        RIDE_HAILING,
        [
            (
                "符合全部条件",
                {
                    "rk_rkjbxx.csrq": "1988-04-02",
                    "ga_jdcjsz.zjcx": "C1",
                    "ga_jdcjsz.jszzt": "正常",
                    "ga_jdcjsz.cclzrq": "2008-04-01",
                    "ga_jsraq.wfjl": [],
                    "ga_jsraq.jm12": False,
                },
                "pass",
                "",
            ),
            (
                "有饮酒后驾驶记录",
                {
                    "rk_rkjbxx.csrq": "1995-11-30",
                    "ga_jdcjsz.zjcx": "C1",
                    "ga_jdcjsz.jszzt": "正常",
                    "ga_jdcjsz.cclzrq": "2015-11-01",
                    "ga_jsraq.wfjl": ["饮酒后驾驶"],
                    "ga_jsraq.jm12": False,
                },
                "fail",
                "records",
            ),
            (
                "驾龄不足3年",
                {
                    "rk_rkjbxx.csrq": "2000-01-01",
                    "ga_jdcjsz.zjcx": "C1",
                    "ga_jdcjsz.jszzt": "正常",
                    "ga_jdcjsz.cclzrq": "2024-01-01",
                    "ga_jsraq.wfjl": [],
                    "ga_jsraq.jm12": False,
                },
                "fail",
                "experience",
            ),
        ],
    ),
    (
        "大货车入市通行证",
        "ga",
        "DHC_RSTXZ",
        "大货车入市通行证核发条件",
        LORRY,
        [
            (
                "国六重型货车",
                {
                    "form.plate_number": "豫KH6013",
                    "ga_jdcdj.hphm": "豫KH6013",
                    "ga_jdcdj.zt": "正常",
                    "ga_jdcdj.cllx": "重型货车",
                    "ga_jdcdj.pfbz": "国六",
                    "ga_jdcdj.jyyxqz": "2027-06-30",
                    "form.start_date": "2026-06-02",
                    "form.end_date": "2026-07-01",
                },
                "pass",
                "",
            ),
            (
                "国四货车",
                {
                    "form.plate_number": "豫KH4012",
                    "ga_jdcdj.hphm": "豫KH4012",
                    "ga_jdcdj.zt": "正常",
                    "ga_jdcdj.cllx": "中型货车",
                    "ga_jdcdj.pfbz": "国四",
                    "ga_jdcdj.jyyxqz": "2027-03-31",
                    "form.start_date": "2026-06-02",
                    "form.end_date": "2026-07-01",
                },
                "fail",
                "emission",
            ),
        ],
    ),
    (
        "公共场所卫生许可",
        "wj",
        "GGCS_WSXK",
        "公共场所卫生许可告知承诺审批条件",
        HYGIENE,
        [
            (
                "从业人员均持证",
                {
                    "sj_qydj.djzt": "存续",
                    "form.venue_kind": "理发店",
                    "wj_cyryjk.yxjkzms": 8,
                    "form.staff_count": 8,
                    "wj_cyryjk.zzdqrq": "2027-05-01",
                },
                "pass",
                "",
            ),
            (
                "部分从业人员无有效健康证明",
                {
                    "sj_qydj.djzt": "存续",
                    "form.venue_kind": "美容店",
                    "wj_cyryjk.yxjkzms": 4,
                    "form.staff_count": 6,
                    "wj_cyryjk.zzdqrq": "2027-02-15",
                },
                "fail",
                "health_certificates",
            ),
        ],
    ),
]

# (login, name, department key, roles): who configures, reviews and spot-checks the demo items.
STAFF = [
    ("jtcatalog", "交通事项管理员", "jt", [Role.CATALOGUE_ADMIN]),
    ("jtclerk", "交通窗口受理员", "jt", [Role.WINDOW_CLERK]),
    ("jtapprover", "交通批准人", "jt", [Role.REVIEWER, Role.APPROVER]),
    ("gacatalog", "公安事项管理员", "ga", [Role.CATALOGUE_ADMIN]),
    ("gaapprover", "公安批准人", "ga", [Role.REVIEWER, Role.APPROVER]),
    ("wjcatalog", "卫健事项管理员", "wj", [Role.CATALOGUE_ADMIN]),
    ("wjapprover", "卫健批准人", "wj", [Role.REVIEWER, Role.APPROVER]),
]


def _elements() -> None:
    for name, label, kind, source, resource, codes in ELEMENTS:
        rules.declare_element(
            actor=None,
            name=name,
            label=label,
            type=kind,
            source=source,
            codes=codes,
            resource_code=resource,
        )


def _rule_set(code, name, department, definition, tests) -> RuleSet:
    rule_set = RuleSet.objects.filter(code=code).first()
    if rule_set is not None:
        return rule_set
    version = rules.create_rule_set(
        actor=None, code=code, name=name, department=department, definition=definition
    )
    for test_name, facts, expected, clause in tests:
        rules.add_test_case(
            actor=None,
            version=version,
            name=test_name,
            facts=facts,
            as_of=TEST_DAY,
            expected=expected,
            expected_clause=clause,
        )
    # In force for a month already, so a new version can take effect today.
    rules.publish(
        actor=None, version=version, valid_from=timezone.localdate() - datetime.timedelta(days=30)
    )
    return version.rule_set


def _staff() -> None:
    for login_name, display, key, roles in STAFF:
        if User.objects.filter(login_name=login_name).exists():
            continue
        accounts.create_staff(
            actor=None,
            login_name=login_name,
            display_name=display,
            department=core_demo.department(key),
            roles=roles,
            password=PASSWORD,
        )


def load(log) -> None:
    from tongban.cases import instant

    _elements()
    _staff()
    switched = 0
    for item_name, key, code, name, definition, tests in RULE_SETS:
        department = core_demo.department(key)
        rule_set = _rule_set(code, name, department, definition, tests)
        item = ServiceItem.objects.filter(basic_item__name=item_name, department=department).first()
        if item is None or instant.config_for(item.pk) is not None:
            continue
        instant.configure(
            actor=None,
            service_item=item,
            enabled=True,
            rule_set=rule_set,
            sample_percent=20,
            note="演示数据：开启智能秒批",
        )
        switched += 1
    log(f"智能秒批：规则集 {RuleSet.objects.count()} 个，新开启秒批事项 {switched} 个")
