"""The demo resources about people (subject: the 公民身份号码): the population, household, marriage,
social-insurance, real-estate, birth, disability and social-security-card registers, and the 公安
traffic records that 智能秒批 checks."""

from tongban.exchange.demo import population
from tongban.exchange.demo.common import ID, IMP, NAME, SENS, R, ResourceSpec, _i
from tongban.exchange.models import ShareCondition

RK_RKJBXX = ResourceSpec(
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
    population.population,
)


MZ_HJ = ResourceSpec(
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
)


MZ_HYDJ = ResourceSpec(
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
)


RS_SBCB = ResourceSpec(
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
    population.social_insurance,
)


ZR_BDCDJ = ResourceSpec(
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
    population.real_estate,
)


WJ_CSYXZM = ResourceSpec(
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
    population.birth_certificates,
)


CL_CJRZ = ResourceSpec(
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
    population.disability_cards,
)


RS_SBKZH = ResourceSpec(
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
    population.social_security_cards,
)


GA_JDCJSZ = ResourceSpec(
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
    population.drivers,
)


GA_JSRAQ = ResourceSpec(
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
    population.driving_records,
)


GA_JDCDJ = ResourceSpec(
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
    population.vehicles,
)


GA_XDFZ = ResourceSpec(
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
)
