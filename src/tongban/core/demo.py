"""Demo reference data: 许昌市 (411000) with its counties, townships and communities under two of
them, plausible departments, service halls and windows. Idempotent: keyed on codes and names."""

from tongban.core import testdata
from tongban.core.models import Department, Office, Region, ServiceHall, Window

L = Region.Level

# GB/T 2260 codes of 许昌市 and its county-level divisions.
COUNTIES = [
    ("411002", "魏都区"),
    ("411003", "建安区"),
    ("411024", "鄢陵县"),
    ("411025", "襄城县"),
    ("411081", "禹州市"),
    ("411082", "长葛市"),
]
# 12-digit statistical codes; township and community names are illustrative.
TOWNSHIPS = {
    "411002": [
        ("001", "西大街道", ["西关社区", "北关社区"]),
        ("002", "东大街道", ["东城社区"]),
        ("003", "南关街道", ["南关社区"]),
        ("005", "五一路街道", ["五一社区"]),
    ],
    "411081": [
        ("001", "钧台街道", ["钧台社区"]),
        ("002", "夏都街道", ["夏都社区"]),
        ("101", "神垕镇", ["神垕村", "白峪村"]),
    ],
}

# (key, name, short name, USCC serial, region, level, offices)
DEPARTMENTS = [
    ("mz", "许昌市民政局", "市民政局", 1, "411000", 3, ["社会救助科", "养老服务科"]),
    ("wj", "许昌市卫生健康委员会", "市卫健委", 2, "411000", 3, ["医政医管科", "公共卫生科"]),
    (
        "sj",
        "许昌市市场监督管理局",
        "市市场监管局",
        3,
        "411000",
        3,
        ["登记注册科", "食品经营监管科"],
    ),
    ("rs", "许昌市人力资源和社会保障局", "市人社局", 4, "411000", 3, ["就业促进科", "失业保险科"]),
    ("ga", "许昌市公安局", "市公安局", 5, "411000", 3, ["户政管理支队", "交通管理支队"]),
    ("jt", "许昌市交通运输局", "市交通运输局", 6, "411000", 3, ["运输管理科"]),
    ("zr", "许昌市自然资源和规划局", "市自然资源规划局", 7, "411000", 3, ["不动产登记中心"]),
    ("gjj", "许昌市住房公积金管理中心", "市公积金中心", 8, "411000", 3, ["贷款管理科"]),
    ("yb", "许昌市医疗保障局", "市医保局", 9, "411000", 3, ["待遇保障科"]),
    ("cg", "许昌市城市管理局", "市城管局", 10, "411000", 3, ["市容管理科"]),
    ("wd_mz", "许昌市魏都区民政局", "魏都区民政局", 11, "411002", 4, ["社会事务股"]),
    ("wd_sj", "许昌市魏都区市场监督管理局", "魏都区市场监管局", 12, "411002", 4, ["登记注册股"]),
    ("yz_mz", "禹州市民政局", "禹州市民政局", 13, "411081", 4, ["社会事务股"]),
    ("yz_sj", "禹州市市场监督管理局", "禹州市市场监管局", 14, "411081", 4, ["登记注册股"]),
    ("xd_jd", "许昌市魏都区西大街道办事处", "西大街道办", 15, "411002001000", 5, ["便民服务中心"]),
    # 12345 接诉即办 (workorders): the hotline centre and the departments it dispatches to.
    ("zj", "许昌市住房和城乡建设局", "市住建局", 41, "411000", 3, ["物业管理科", "燃气热力科"]),
    ("sthj", "许昌市生态环境局", "市生态环境局", 42, "411000", 3, ["环境监察支队"]),
    ("jy", "许昌市教育局", "市教育局", 43, "411000", 3, ["基础教育科"]),
    ("sw", "许昌市水务局", "市水务局", 44, "411000", 3, ["供排水管理科"]),
    (
        "rx",
        "许昌市12345热线中心",
        "12345热线中心",
        45,
        "411000",
        3,
        ["话务科", "派单科"],
    ),
]

HALLS = [
    (
        "许昌市政务服务中心",
        ServiceHall.Kind.CENTRE,
        "411000",
        "许昌市魏都区示例大道1号",
        [
            ("A01", "综合受理窗口", True, ["mz", "wj", "rs", "yb"]),
            ("A02", "综合受理窗口", True, ["sj", "jt"]),
            ("B01", "不动产登记窗口", False, ["zr"]),
            ("B02", "公积金窗口", False, ["gjj"]),
            ("C01", "公安户政窗口", False, ["ga"]),
        ],
    ),
    (
        "魏都区政务服务中心",
        ServiceHall.Kind.CENTRE,
        "411002",
        "许昌市魏都区示例路100号",
        [("01", "综合受理窗口", True, ["wd_mz", "wd_sj"])],
    ),
    (
        "禹州市政务服务中心",
        ServiceHall.Kind.CENTRE,
        "411081",
        "禹州市示例大道88号",
        [("01", "综合受理窗口", True, ["yz_mz", "yz_sj"])],
    ),
    (
        "西大街道便民服务中心",
        ServiceHall.Kind.TOWNSHIP_CENTRE,
        "411002001000",
        "魏都区西大街示例巷1号",
        [("1", "综合窗口", True, ["xd_jd"])],
    ),
    (
        "西关社区便民服务站",
        ServiceHall.Kind.VILLAGE_STATION,
        "411002001001",
        "西关社区党群服务中心一楼",
        [("1", "代办窗口", True, ["xd_jd"])],
    ),
]


def _region(code, name, level, parent):
    region, _ = Region.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    return region


def load_regions():
    province = _region("410000", "河南省", L.PROVINCE, None)
    city = _region("411000", "许昌市", L.CITY, province)
    for code, name in COUNTIES:
        county = _region(code, name, L.COUNTY, city)
        for suffix, township_name, villages in TOWNSHIPS.get(code, []):
            township = _region(f"{code}{suffix}000", township_name, L.TOWNSHIP, county)
            for index, village_name in enumerate(villages, start=1):
                _region(f"{code}{suffix}{index:03d}", village_name, L.VILLAGE, township)


def load_departments() -> dict[str, Department]:
    departments = {}
    for key, name, short, serial, region, level, offices in DEPARTMENTS:
        department, _ = Department.objects.update_or_create(
            uscc=testdata.credit_code("11", region[:6], serial),
            defaults={
                "name": name,
                "short_name": short,
                "region_id": region,
                "level": level,
                "phone": "0374-12345",
                "supervision_phone": "0374-12345",
            },
        )
        for office in offices:
            Office.objects.get_or_create(department=department, name=office)
        departments[key] = department
    return departments


def load_halls(departments: dict[str, Department]) -> None:
    for name, kind, region, address, windows in HALLS:
        hall, _ = ServiceHall.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "region_id": region,
                "address": address,
                "opening_hours": "周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）",
                "phone": "0374-12345",
            },
        )
        for number, window_name, comprehensive, keys in windows:
            window, _ = Window.objects.update_or_create(
                hall=hall,
                number=number,
                defaults={"name": window_name, "is_comprehensive": comprehensive},
            )
            window.departments.set([departments[k] for k in keys])


def load(log) -> None:
    load_regions()
    departments = load_departments()
    load_halls(departments)
    log(
        f"区划 {Region.objects.count()} 个，部门 {Department.objects.count()} 个，"
        f"大厅 {ServiceHall.objects.count()} 个，窗口 {Window.objects.count()} 个"
    )


def department(key: str) -> Department:
    """A demo department by its short key (used by other apps' demo loaders)."""
    for k, _name, _short, serial, region, _level, _offices in DEPARTMENTS:
        if k == key:
            return Department.objects.get(uscc=testdata.credit_code("11", region[:6], serial))
    raise KeyError(key)
