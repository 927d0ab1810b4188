"""The demo consumers of shared data (the platform's own services and one department system) with
the grants they hold, and the materials shared data can stand in for."""

from tongban.exchange.models import Consumer

# The 民政社会救助系统's OAuth client: fictional; the demo only.
DEMO_CLIENT_ID = "demo-mz-jzxt"
DEMO_CLIENT_SECRET = "demo-secret-Tongban2026"

# (code, name, kind, department key, rate per minute, [(resource, items or None for all, purpose, basis)])
CONSUMERS = [
    (
        "platform.realname",
        "实名认证（平台统一身份认证）",
        Consumer.Kind.PLATFORM,
        None,
        6000,
        [
            (
                "RK_RKJBXX",
                ["xm", "gmsfhm"],
                "实名认证：比对姓名与公民身份号码",
                "《网络安全法》第二十四条：网络运营者应当要求用户提供真实身份信息",
            ),
        ],
    ),
    (
        "platform.prefill",
        "智能免填（平台）",
        Consumer.Kind.PLATFORM,
        None,
        6000,
        [
            (
                "RK_RKJBXX",
                ["xm", "xb", "csrq", "zz"],
                "办事表单预填",
                "《优化营商环境条例》第三十五条",
            ),
            ("SJ_QYDJ", None, "办事表单预填", "《优化营商环境条例》第三十五条"),
        ],
    ),
    (
        "platform.certificate_free",
        "免证可办（平台）",
        Consumer.Kind.PLATFORM,
        None,
        6000,
        [
            (
                "RK_RKJBXX",
                ["xm", "gmsfhm", "csrq"],
                "以共享数据代替申请材料",
                "《国务院关于加快推进政务服务标准化规范化便利化的指导意见》",
            ),
            (
                "MZ_HJ",
                None,
                "以共享数据代替居民户口簿",
                "《国务院关于加快推进政务服务标准化规范化便利化的指导意见》",
            ),
            ("MZ_HYDJ", None, "以共享数据代替结婚证", "同上"),
            ("SJ_QYDJ", None, "以共享数据代替营业执照", "同上"),
            ("ZR_BDCDJ", None, "以共享数据代替不动产权证书", "同上"),
            ("WJ_CSYXZM", None, "以共享数据代替出生医学证明", "同上"),
            ("CL_CJRZ", None, "以共享数据代替残疾人证", "同上"),
            ("GA_JDCJSZ", None, "以共享数据代替机动车驾驶证", "同上"),
        ],
    ),
    (
        "platform.policies",
        "免申即享（平台）",
        Consumer.Kind.PLATFORM,
        None,
        6000,
        [
            (
                "RK_RKJBXX",
                ["xm", "gmsfhm", "csrq"],
                "惠民惠企政策主动匹配（免申即享）",
                "《国务院办公厅关于印发2023年政务公开工作要点的通知》：推动惠企利民政策“免申即享”",
            ),
            ("CL_CJRZ", ["cjlb", "cjdj", "yxqz"], "惠民政策主动匹配（免申即享）", "同上"),
            ("SJ_QYDJ", None, "惠企政策主动匹配（免申即享）", "同上"),
            ("RS_QYCB", None, "惠企政策主动匹配（免申即享）", "同上"),
            ("RS_SBKZH", ["khyh", "yhzh"], "补贴资金通过社会保障卡发放", "同上"),
            (
                "SW_CKZH",
                ["khyh", "yhzh"],
                "惠企政策资金拨付",
                "《税收征收管理法》第十七条；惠企政策资金拨付至企业报告的存款账户",
            ),
        ],
    ),
    (
        "platform.instant_approval",
        "智能秒批（平台）",
        Consumer.Kind.PLATFORM,
        None,
        6000,
        [
            (
                "RK_RKJBXX",
                ["xm", "gmsfhm", "csrq"],
                "智能秒批：核验申请人年龄",
                "《国务院办公厅关于加快推进“一件事一次办”打造政务服务升级版的指导意见》",
            ),
            ("GA_JDCJSZ", None, "智能秒批：核验驾驶证", "同上"),
            ("GA_JSRAQ", None, "智能秒批：核验驾驶人安全记录", "同上"),
            ("GA_JDCDJ", None, "智能秒批：核验机动车登记", "同上"),
            ("SJ_QYDJ", None, "智能秒批：核验营业执照", "同上"),
            ("WJ_CYRYJK", None, "智能秒批：核验从业人员健康证明", "同上"),
        ],
    ),
    (
        "mz.jzxt",
        "民政社会救助系统",
        Consumer.Kind.SYSTEM,
        "mz",
        600,
        [
            (
                "RK_RKJBXX",
                ["xm", "gmsfhm", "csrq", "zz"],
                "社会救助对象身份核验",
                "《社会救助暂行办法》第十一条",
            ),
            (
                "RS_SBCB",
                ["xm", "gmsfhm", "cbzt"],
                "社会救助家庭经济状况核对",
                "《社会救助暂行办法》第十一条",
            ),
        ],
    ),
]

SUBSTITUTES = [
    ("居民户口簿", "MZ_HJ", ["xm", "gmsfhm", "csrq", "hh", "hjdz", "hjszd"]),
    ("双方居民户口簿", "MZ_HJ", ["xm", "gmsfhm", "hh", "hjdz"]),
    ("结婚证", "MZ_HYDJ", ["xm", "gmsfhm", "hyzk", "djrq"]),
    ("婚姻状况证明", "MZ_HYDJ", ["xm", "gmsfhm", "hyzk"]),
    ("营业执照", "SJ_QYDJ", ["qymc", "tyshxydm", "fddbr", "djzt"]),
    ("不动产权证书", "ZR_BDCDJ", ["qlr", "gmsfhm", "bdcqzh", "zl"]),
    ("出生医学证明", "WJ_CSYXZM", ["xm", "csrq", "zmbh"]),
    ("残疾人证", "CL_CJRZ", ["xm", "cjrzh", "cjlb", "cjdj"]),
    ("机动车驾驶证", "GA_JDCJSZ", ["xm", "jszh", "zjcx", "jszzt"]),
]
