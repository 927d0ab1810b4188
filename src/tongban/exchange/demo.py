"""Demo exchange: the class tree, the resources of the demo city's departments, their local copies,
consumers with grants, and the materials shared data can stand in for. Idempotent."""

import datetime
import hashlib

from django.conf import settings
from django.utils import timezone

from tongban.core import demo as core_demo
from tongban.core import testdata
from tongban.core.models import Department, Office
from tongban.exchange import demodata
from tongban.exchange.actions import access, bulk, catalogue
from tongban.exchange.actions.catalogue import ItemSpec
from tongban.exchange.models import (
    Consumer,
    DataItem,
    Grant,
    MaterialSubstitute,
    Resource,
    ShareCondition,
)

R = DataItem.Rule
SENS, IMP = "sensitive", "important"
DEMO_CLIENT_ID = "demo-mz-jzxt"
DEMO_CLIENT_SECRET = "demo-secret-Tongban2026"  # fictional; the demo only

CLASSES = [
    ("JCK", "基础库", None),
    ("JCK-RK", "人口基础信息库", "JCK"),
    ("JCK-FR", "法人单位基础信息库", "JCK"),
    ("JCK-ZRZY", "自然资源和空间地理基础信息库", "JCK"),
    ("ZTK", "主题库", None),
    ("ZTK-SHBZ", "社会保障主题库", "ZTK"),
    ("ZTK-JKBJ", "健康保健主题库", "ZTK"),
    ("BMK", "部门库", None),
    ("BMK-MZ", "民政部门库", "BMK"),
    ("BMK-GA", "公安部门库", "BMK"),
]


def _i(
    code,
    name,
    kind="string",
    sensitivity="general",
    personal=False,
    required=False,
    rule="",
    table="",
):
    return ItemSpec(code, name, kind, sensitivity, personal, required, rule, table)


NAME = _i("xm", "姓名", sensitivity=SENS, personal=True, required=True)
ID = _i("gmsfhm", "公民身份号码", sensitivity=SENS, personal=True, required=True, rule=R.CITIZEN_ID)

# (code, name, department key, class, condition, basis, plugin, label, subject kind, items, rows)
RESOURCES = [
    (
        "RK_RKJBXX",
        "人口基础信息",
        "ga",
        "JCK-RK",
        ShareCondition.CONDITIONAL,
        "《居民身份证法》第六条、第十三条：仅限依法履职核验身份",
        "local_table",
        "公安人口库",
        "citizen_id",
        [
            NAME,
            ID,
            _i("xb", "性别", rule=R.CODE_TABLE, table="男|女"),
            _i("csrq", "出生日期", "date", SENS, True, True, R.DATE),
            _i("mz", "民族"),
            _i("zz", "住址", sensitivity=SENS, personal=True),
        ],
        demodata.population,
    ),
    (
        "MZ_HJ",
        "户籍登记信息",
        "mz",
        "BMK-MZ",
        ShareCondition.CONDITIONAL,
        "《户口登记条例》；仅限政务服务核验户籍",
        "http",
        "民政户籍登记系统",
        "citizen_id",
        [
            NAME,
            ID,
            _i("csrq", "出生日期", "date", SENS, True, True, R.DATE),
            _i("hh", "户号"),
            _i("yhzgx", "与户主关系", rule=R.CODE_TABLE, table="户主|配偶|子女|父母|其他"),
            _i("hjdz", "户籍地址", sensitivity=SENS, personal=True),
            _i("hjszd", "户籍所在地区划代码"),
        ],
        None,
    ),
    (
        "MZ_HYDJ",
        "婚姻登记信息",
        "mz",
        "BMK-MZ",
        ShareCondition.CONDITIONAL,
        "《婚姻登记条例》；仅限政务服务核验婚姻状况",
        "http",
        "民政婚姻登记系统",
        "citizen_id",
        [
            NAME,
            ID,
            _i(
                "hyzk",
                "婚姻状况",
                sensitivity=SENS,
                personal=True,
                required=True,
                rule=R.CODE_TABLE,
                table="未婚|已婚|离婚|丧偶",
            ),
            _i("djrq", "登记日期", "date"),
            _i("djjg", "登记机关"),
        ],
        None,
    ),
    (
        "RS_SBCB",
        "社会保险参保信息",
        "rs",
        "ZTK-SHBZ",
        ShareCondition.CONDITIONAL,
        "《社会保险法》第八十一条",
        "local_table",
        "人社参保库",
        "citizen_id",
        [
            NAME,
            ID,
            _i("xz", "险种", required=True),
            _i("cbzt", "参保状态", rule=R.CODE_TABLE, table="参保缴费|暂停缴费|终止参保"),
            _i("cbrq", "参保日期", "date"),
            _i("dwmc", "参保单位"),
        ],
        demodata.social_insurance,
    ),
    (
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
        demodata.enterprises,
    ),
    (
        "ZR_BDCDJ",
        "不动产登记信息",
        "zr",
        "JCK-ZRZY",
        ShareCondition.CONDITIONAL,
        "《不动产登记暂行条例》第二十七条",
        "local_table",
        "不动产登记库",
        "citizen_id",
        [
            _i("qlr", "权利人", sensitivity=SENS, personal=True, required=True),
            ID,
            _i("bdcqzh", "不动产权证号", required=True),
            _i("zl", "坐落", sensitivity=SENS, personal=True),
            _i("mj", "面积（平方米）", "decimal"),
            _i("yt", "用途"),
        ],
        demodata.real_estate,
    ),
    (
        "WJ_CSYXZM",
        "出生医学证明信息",
        "wj",
        "ZTK-JKBJ",
        ShareCondition.CONDITIONAL,
        "《母婴保健法》第二十三条",
        "local_table",
        "卫健出生医学证明库",
        "citizen_id",
        [
            NAME,
            _i("csrq", "出生日期", "date", SENS, True, True),
            _i("mqxm", "母亲姓名", sensitivity=SENS, personal=True),
            _i("fqxm", "父亲姓名", sensitivity=SENS, personal=True),
            _i("zmbh", "出生医学证明编号", required=True),
            _i("csdd", "出生地点"),
        ],
        demodata.birth_certificates,
    ),
    (
        "CL_CJRZ",
        "残疾人证信息",
        "cl",
        "ZTK-SHBZ",
        ShareCondition.CONDITIONAL,
        "《残疾人保障法》；仅限残疾人福利事项核验",
        "local_table",
        "残联残疾人证库",
        "citizen_id",
        [
            NAME,
            _i("cjrzh", "残疾人证号", sensitivity=IMP, personal=True, required=True),
            _i("cjlb", "残疾类别", sensitivity=IMP, personal=True),
            _i(
                "cjdj",
                "残疾等级",
                sensitivity=IMP,
                personal=True,
                rule=R.CODE_TABLE,
                table="一级|二级|三级|四级",
            ),
            _i("yxqz", "有效期至", "date"),
        ],
        demodata.disability_cards,
    ),
    (
        "GA_JDCJSZ",
        "机动车与驾驶证信息",
        "ga",
        "BMK-GA",
        ShareCondition.CONDITIONAL,
        "《道路交通安全法》；仅限交通运输从业资格核验",
        "local_table",
        "公安交管库",
        "citizen_id",
        [
            NAME,
            _i(
                "jszh",
                "驾驶证号",
                sensitivity=SENS,
                personal=True,
                required=True,
                rule=R.CITIZEN_ID,
            ),
            _i("zjcx", "准驾车型", required=True),
            _i("jszzt", "驾驶证状态", rule=R.CODE_TABLE, table="正常|超分|吊销|注销"),
            _i("hphm", "号牌号码"),
            _i("cllx", "车辆类型"),
            _i("cclzrq", "初次领证日期", "date", rule=R.DATE),
        ],
        demodata.drivers,
    ),
    (
        "GA_JSRAQ",
        "驾驶人安全记录",
        "ga",
        "BMK-GA",
        ShareCondition.CONDITIONAL,
        "《网络预约出租汽车经营服务管理暂行办法》第十四条；仅限道路运输从业资格核验",
        "local_table",
        "公安交管库",
        "citizen_id",
        [
            NAME,
            ID,
            _i("wfjl", "影响从业资格的违法犯罪记录（多项以|分隔）", sensitivity=IMP, personal=True),
            _i("jm12", "最近连续3个记分周期内记满12分", "boolean", IMP, True),
        ],
        demodata.driving_records,
    ),
    (
        "GA_JDCDJ",
        "机动车登记信息",
        "ga",
        "BMK-GA",
        ShareCondition.CONDITIONAL,
        "《道路交通安全法》第八条；仅限车辆通行管理核验",
        "local_table",
        "公安交管库",
        "citizen_id",
        [
            _i("syr", "机动车所有人", sensitivity=SENS, personal=True, required=True),
            ID,
            _i("hphm", "号牌号码", required=True),
            _i(
                "cllx",
                "车辆类型",
                rule=R.CODE_TABLE,
                table="重型货车|中型货车|轻型货车|小型汽车",
            ),
            _i("pfbz", "排放标准", rule=R.CODE_TABLE, table="国三|国四|国五|国六"),
            _i("jyyxqz", "检验有效期至", "date", rule=R.DATE),
            _i("zt", "机动车状态", rule=R.CODE_TABLE, table="正常|逾期未检验|查封|注销"),
        ],
        demodata.vehicles,
    ),
    (
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
        demodata.staff_health,
    ),
    (
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
        demodata.enterprise_insurance,
    ),
    (
        "RS_SBKZH",
        "社会保障卡金融账户",
        "rs",
        "ZTK-SHBZ",
        ShareCondition.CONDITIONAL,
        "《关于进一步加强惠民惠农财政补贴资金“一卡通”管理的指导意见》：补贴资金原则上通过社会保障卡发放",
        "local_table",
        "人社社保卡库",
        "citizen_id",
        [
            NAME,
            ID,
            _i("khyh", "开户银行"),
            _i("yhzh", "银行账号", sensitivity=IMP, personal=True, required=True),
        ],
        demodata.social_security_cards,
    ),
    (
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
        demodata.enterprise_accounts,
    ),
    (
        "GA_XDFZ",
        "涉毒违法犯罪人员信息",
        "ga",
        "BMK-GA",
        ShareCondition.NOT_SHARED,
        "涉及国家秘密和个人敏感信息，依法不予共享",
        "local_table",
        "",
        "citizen_id",
        [NAME, ID],
        None,
    ),
]

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


def disabled_persons_federation() -> Department:
    """残联 is not among the core demo departments; the exchange needs it as a provider."""
    department, _ = Department.objects.update_or_create(
        uscc=testdata.credit_code("51", "411000", 41),
        defaults={
            "name": "许昌市残疾人联合会",
            "short_name": "市残联",
            "region_id": "411000",
            "level": Department.ExerciseLevel.CITY,
            "nature": Department.Nature.AUTHORISED,
            "phone": "0374-12345",
        },
    )
    Office.objects.get_or_create(department=department, name="康复和教育就业部")
    return department


def tax_bureau() -> Department:
    """The tax bureau (a vertically managed office, not among the core demo departments) provides
    the accounts enterprises reported (纳税人存款账户账号报告)."""
    department, _ = Department.objects.update_or_create(
        uscc=testdata.credit_code("11", "411000", 71),
        defaults={
            "name": "国家税务总局许昌市税务局",
            "short_name": "市税务局",
            "region_id": "411000",
            "level": Department.ExerciseLevel.CITY,
            "nature": Department.Nature.STATUTORY,
            "phone": "0374-12366",
        },
    )
    Office.objects.get_or_create(department=department, name="纳税服务科")
    return department


def _department(key: str) -> Department:
    if key == "cl":
        return disabled_persons_federation()
    if key == "swj":
        return tax_bureau()
    return core_demo.department(key)


def _classes() -> dict:
    nodes = {}
    for order, (code, name, parent) in enumerate(CLASSES):
        nodes[code] = catalogue.ensure_class(
            code=code, name=name, parent=nodes.get(parent), order=order
        )
    return nodes


def _provider_options(plugin: str) -> dict:
    if plugin == "http":
        return {"url": settings.EXCHANGE_DEMO_DEPARTMENT_URL.rstrip("/") + "/query", "retries": 1}
    return {}


def _resource(row, classes) -> Resource:
    code, name, dept, cls, condition, basis, plugin, label, subject, items, rows = row
    resource = Resource.objects.filter(code=code).first()
    if resource is not None:
        return resource
    delivery = "both" if plugin == "local_table" else "query"
    version = catalogue.create_resource(
        actor=None,
        code=code,
        department=_department(dept),
        elements={
            "name": name,
            "resource_class": classes[cls],
            "description": f"{_department(dept).name}提供的{name}（演示数据，虚构）",
            "subject_kind": subject,
            "update_frequency": "实时" if plugin == "http" else "每日",
            "share_condition": condition,
            "share_basis": basis,
            "delivery": delivery,
            "provider_plugin": plugin,
            "provider_options": _provider_options(plugin),
            "provider_label": label,
        },
        items=items,
    )
    catalogue.publish(actor=None, version=version)
    resource = version.resource
    if rows is not None:
        columns = ["subject", *[spec.code for spec in items]]
        content = bulk.csv_bytes(rows(), columns)
        bulk.load_file(
            actor=None,
            resource=resource,
            content=content,
            file_name=f"{code}-full.csv",
            declared_rows=len(rows()),
            sha256=hashlib.sha256(content).hexdigest(),
            source="demo",
        )
    return resource


def _consumer(row) -> Consumer:
    code, name, kind, dept, rate, grants = row
    consumer = Consumer.objects.filter(code=code).first()
    if consumer is None:
        department = core_demo.department(dept) if dept else None
        consumer, _secret = access.create_consumer(
            actor=None,
            code=code,
            name=name,
            kind=kind,
            department=department,
            rate_limit_per_minute=rate,
        )
        if consumer.application is not None:
            application = consumer.application
            application.client_id = DEMO_CLIENT_ID
            application.client_secret = DEMO_CLIENT_SECRET  # hashed on save
            application.save()
    until = timezone.localdate() + datetime.timedelta(days=3 * 365)
    for resource_code, items, purpose, basis in grants:
        resource = Resource.objects.get(code=resource_code)
        if Grant.objects.filter(consumer=consumer, resource=resource).exists():
            continue
        codes = items or list(resource.current_version.items.values_list("code", flat=True))
        request = access.request_access(
            actor=None,
            consumer=consumer,
            resource=resource,
            items=codes,
            purpose=purpose,
            legal_basis=basis,
            valid_until=until,
        )
        if request.status == request.Status.PENDING:
            access.approve(actor=None, request=request, note="演示数据：预先同意")
    return consumer


def load(log) -> None:
    classes = _classes()
    for row in RESOURCES:
        _resource(row, classes)
    for row in CONSUMERS:
        _consumer(row)
    for material, resource_code, items in SUBSTITUTES:
        catalogue.set_substitute(
            actor=None,
            material_name=material,
            resource=Resource.objects.get(code=resource_code),
            items=items,
        )
    log(
        f"数据共享：资源 {Resource.objects.count()} 个，使用方 {Consumer.objects.count()} 个，"
        f"授权 {Grant.objects.count()} 项，可免提交材料 {MaterialSubstitute.objects.count()} 种"
    )
