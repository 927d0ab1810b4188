"""Demo policies of the fictional city, matched at once against the exchange's demo data:

- 高龄津贴 (民政, 免申即享, monthly): 80–89 100 元, 90–99 200 元, 100+ 500 元. 张示例 (born 1942)
  is matched without applying.
- 困难残疾人生活补贴 (民政, 一键确认, monthly) by disability grade.
- 稳岗返还 (人社, 一键确认, one-off) by social-insurance headcount: the demo enterprise qualifies.
- 一次性扩岗补助 (人社, 一键确认, one-off) by new hires: the demo enterprise hired nobody new
  this year and sees why not. Idempotent.
"""

import datetime

from tongban.core import demo as core_demo
from tongban.notify.models import MessageTemplate
from tongban.policies import seed
from tongban.policies.actions import lifecycle, matching
from tongban.policies.models import Match, Policy

AGE = {
    "op": "years_between",
    "args": [{"var": "person.birth_date"}, {"op": "as_of", "args": []}],
}
BASIS_GL = "《许昌市高龄津贴发放管理办法》（示例）第三条"
BASIS_CJ = (
    "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）"
)
BASIS_WG = (
    "《失业保险条例》；《关于做好失业保险稳岗位提技能防失业工作的通知》（人社部发〔2022〕23号）"
)
BASIS_KG = "《关于加快落实一次性扩岗补助政策有关工作的通知》（人社厅发〔2022〕41号）"


def _clause(clause, label, test, basis):
    return {"clause": clause, "label": label, "basis": basis, "test": test}


def _num(var):
    return {"var": var}


POLICIES = [
    {
        "code": "MZ-GLJT",
        "name": "高龄津贴",
        "department": "mz",
        "document_number": "许民〔2026〕8号（示例）",
        "summary": "80周岁及以上老年人按月领取高龄津贴，无需申请。",
        "target": Policy.Target.PERSON,
        "cycle": Policy.Cycle.MONTHLY,
        "delivery": Policy.Delivery.AUTOMATIC,
        "budget_cap": 2_000_000,
        "eligibility": {
            "root": {
                "all": [
                    _clause("age80", "年满80周岁", {"op": "ge", "args": [AGE, 80]}, BASIS_GL),
                ]
            }
        },
        "amount_formula": {
            "bands": [
                _clause("age100", "100周岁及以上", {"op": "ge", "args": [AGE, 100]}, BASIS_GL)
                | {"amount": 500},
                _clause("age90", "90至99周岁", {"op": "between", "args": [AGE, 90, 99]}, BASIS_GL)
                | {"amount": 200},
                _clause("age80", "80至89周岁", {"op": "between", "args": [AGE, 80, 89]}, BASIS_GL)
                | {"amount": 100},
            ],
            "otherwise": 0,
        },
    },
    {
        "code": "MZ-KNCJ",
        "name": "困难残疾人生活补贴",
        "department": "mz",
        "document_number": "许民〔2026〕12号（示例）",
        "summary": "持有效残疾人证的困难残疾人按月领取生活补贴，一键确认即可。",
        "target": Policy.Target.PERSON,
        "cycle": Policy.Cycle.MONTHLY,
        "delivery": Policy.Delivery.CONFIRM,
        "budget_cap": 500_000,
        "eligibility": {
            "root": {
                "all": [
                    _clause(
                        "card",
                        "持有残疾人证",
                        {"op": "exists", "args": [{"var": "disability.grade"}]},
                        BASIS_CJ,
                    ),
                    _clause(
                        "valid",
                        "残疾人证在有效期内",
                        {
                            "op": "ge",
                            "args": [{"var": "disability.valid_to"}, {"op": "as_of", "args": []}],
                        },
                        BASIS_CJ,
                    ),
                ]
            }
        },
        "amount_formula": {
            "bands": [
                _clause(
                    "severe",
                    "一级、二级残疾",
                    {"op": "in", "args": [{"var": "disability.grade"}, {"list": ["一级", "二级"]}]},
                    BASIS_CJ,
                )
                | {"amount": 90},
                _clause(
                    "other",
                    "三级、四级残疾",
                    {"op": "in", "args": [{"var": "disability.grade"}, {"list": ["三级", "四级"]}]},
                    BASIS_CJ,
                )
                | {"amount": 70},
            ],
        },
    },
    {
        "code": "RS-WGFH",
        "name": "失业保险稳岗返还",
        "department": "rs",
        "document_number": "许人社〔2026〕5号（示例）",
        "summary": "不裁员或少裁员、足额缴纳失业保险的企业，按参保职工人数返还，一键确认即可到账。",
        "target": Policy.Target.ENTERPRISE,
        "cycle": Policy.Cycle.ONCE,
        "delivery": Policy.Delivery.CONFIRM,
        "budget_cap": 300_000,
        "eligibility": {
            "constants": {
                "MAX_LAYOFF": {"type": "number", "value": 5.5, "label": "裁员率上限（%）"}
            },
            "root": {
                "all": [
                    _clause(
                        "active",
                        "企业登记状态为存续",
                        {"op": "eq", "args": [{"var": "enterprise.status"}, "存续"]},
                        BASIS_WG,
                    ),
                    _clause(
                        "insured",
                        "有参保职工",
                        {"op": "ge", "args": [_num("insurance.headcount"), 1]},
                        BASIS_WG,
                    ),
                    _clause(
                        "paid",
                        "社会保险费无欠费",
                        {"op": "eq", "args": [{"var": "insurance.arrears"}, "无欠费"]},
                        BASIS_WG,
                    ),
                    _clause(
                        "layoff",
                        "上年裁员率不高于5.5%",
                        {
                            "op": "le",
                            "args": [_num("insurance.layoff_rate"), {"const": "MAX_LAYOFF"}],
                        },
                        BASIS_WG,
                    ),
                ]
            },
        },
        "amount_formula": {
            "constants": {"PER_HEAD": {"type": "number", "value": 500, "label": "每名参保职工"}},
            "bands": [
                _clause(
                    "per_head",
                    "按参保职工人数每人500元",
                    {"op": "ge", "args": [_num("insurance.headcount"), 1]},
                    BASIS_WG,
                )
                | {
                    "amount": {
                        "op": "mul",
                        "args": [_num("insurance.headcount"), {"const": "PER_HEAD"}],
                    }
                }
            ],
        },
    },
    {
        "code": "RS-KGBZ",
        "name": "一次性扩岗补助",
        "department": "rs",
        "document_number": "许人社〔2026〕6号（示例）",
        "summary": "本年度新招用人员并为其缴纳社会保险的企业，每新增一人补助1500元。",
        "target": Policy.Target.ENTERPRISE,
        "cycle": Policy.Cycle.ONCE,
        "delivery": Policy.Delivery.CONFIRM,
        "budget_cap": 150_000,
        "eligibility": {
            "root": {
                "all": [
                    _clause(
                        "active",
                        "企业登记状态为存续",
                        {"op": "eq", "args": [{"var": "enterprise.status"}, "存续"]},
                        BASIS_KG,
                    ),
                    _clause(
                        "hired",
                        "本年度新增参保职工至少1人",
                        {"op": "ge", "args": [_num("insurance.new_hires"), 1]},
                        BASIS_KG,
                    ),
                ]
            }
        },
        "amount_formula": {
            "bands": [
                _clause(
                    "per_hire",
                    "每新增参保1人补助1500元",
                    {"op": "ge", "args": [_num("insurance.new_hires"), 1]},
                    BASIS_KG,
                )
                | {"amount": {"op": "mul", "args": [_num("insurance.new_hires"), 1500]}}
            ],
        },
    },
]


def load(log) -> None:
    seed.load(MessageTemplate)
    created = []
    for spec in POLICIES:
        if Policy.objects.filter(code=spec["code"]).exists():
            continue
        fields = {k: v for k, v in spec.items() if k not in ("code", "department", "target")}
        policy = lifecycle.create_policy(
            actor=None,
            department=core_demo.department(spec["department"]),
            code=spec["code"],
            target=spec["target"],
            valid_from=datetime.date(2026, 1, 1),
            document_text=f"{spec['name']}政策原文（示例，虚构）。{spec['summary']}",
            **fields,
        )
        lifecycle.publish(actor=None, policy=policy, match=False)
        created.append(policy)
    if created:
        matching.start_run(actor=None, inline=True)
    log(
        f"惠民惠企政策：{Policy.objects.count()} 项，"
        f"匹配 {Match.objects.filter(eligible=True).count()} 个（免申即享与一键确认）"
    )
