"""Demo data for 12345 work orders: the category tree, the grid, routing rules, sensors, the
knowledge base, hotline staff, a trained classifier and a few weeks of orders made through the
service layer. Idempotent: keyed on codes and login names."""

import random

from tongban.accounts import actions as account_actions
from tongban.accounts.demo import PASSWORD
from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.core import demo as core_demo
from tongban.workorders import classifier, corpus, geo, taxonomy
from tongban.workorders.actions import closure, handling, intake
from tongban.workorders.codes import Channel, Kind, Satisfaction, Status, Urgency
from tongban.workorders.models import (
    Category,
    KnowledgeArticle,
    RoutingRule,
    Sensor,
    WorkOrder,
    new_secret,
)

STAFF = [
    ("dispatcher", "12345派单员", "rx", [Role.DISPATCHER]),
    ("operator", "12345话务员", "rx", [Role.HOTLINE_OPERATOR]),
    ("gridworker", "西大街道网格员", "xd_jd", [Role.GRID_WORKER]),
    ("patroller", "数字城管监督员", "cg", [Role.CITY_PATROLLER]),
    ("cghandler", "城管承办人", "cg", [Role.HANDLER]),
    ("swhandler", "水务承办人", "sw", [Role.HANDLER]),
]
SENSORS = [
    (
        "WL-XD-001",
        "西大街下穿通道积水监测",
        "道路积水超过警戒水位",
        "SW03",
        Urgency.URGENT,
        "魏都区西大街下穿通道",
        "113.801200",
        "34.031500",
    ),
    (
        "MH-WW-017",
        "魏文路井盖位移监测",
        "井盖发生位移或被打开",
        "CG02",
        Urgency.URGENT,
        "魏都区魏文路与七一路交叉口",
        "113.826400",
        "34.027100",
    ),
    (
        "SM-YZ-003",
        "禹州钧台社区烟感",
        "烟雾报警",
        "CG04",
        Urgency.PRESSING,
        "禹州市钧台社区垃圾站",
        "113.471000",
        "34.142000",
    ),
]
# (position, name, category code, region code, department key)
RULES = [
    (10, "西大街道辖区的占道经营由街道综合执法处理", "CG01", "411002001000", "xd_jd"),
    (20, "城市管理类由市城管局办理", "CG", None, "cg"),
]
DEMO_ORDERS = 60


def load_categories() -> dict[str, Category]:
    categories = {}
    for position, (group_code, group_name, items) in enumerate(taxonomy.TREE):
        group, _ = Category.objects.update_or_create(
            code=group_code, defaults={"name": group_name, "parent": None, "ordering": position}
        )
        categories[group_code] = group
        for index, (code, name, department, *_words) in enumerate(items):
            categories[code], _ = Category.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "parent": group,
                    "department": core_demo.department(department),
                    "ordering": index,
                },
            )
    return categories


def load_rules(categories) -> None:
    for position, name, category, region, department in RULES:
        RoutingRule.objects.update_or_create(
            position=position,
            defaults={
                "name": name,
                "category": categories[category],
                "region_id": region,
                "department": core_demo.department(department),
            },
        )


def load_sensors(categories) -> None:
    for code, name, text, category, urgency, address, lng, lat in SENSORS:
        sensor = Sensor.objects.filter(code=code).first() or Sensor(code=code, secret=new_secret())
        sensor.name, sensor.alert_text, sensor.category = name, text, categories[category]
        sensor.urgency, sensor.address, sensor.lng, sensor.lat = urgency, address, lng, lat
        sensor.save()


def load_knowledge(categories) -> None:
    for title, keywords, answer, category in taxonomy.KNOWLEDGE:
        KnowledgeArticle.objects.update_or_create(
            title=title,
            defaults={"keywords": keywords, "answer": answer, "category": categories[category]},
        )


def load_staff() -> dict[str, User]:
    staff = {}
    for login, name, department, roles in STAFF:
        user = User.objects.filter(login_name=login).first()
        if user is None:
            user = account_actions.create_staff(
                actor=None,
                login_name=login,
                display_name=name,
                department=core_demo.department(department),
                roles=roles,
                password=PASSWORD,
            )
        staff[login] = user
    return staff


def logins() -> list[tuple[str, str, str]]:
    """The 12345 / 一网统管 staff for `tongban demo --logins`."""
    return [
        (f"工作人员 {name}（{'、'.join(str(Role(r).label) for r in roles)}）", login, PASSWORD)
        for login, name, _department, roles in STAFF
    ]


def load_orders(staff) -> None:
    """Orders made through the service layer, some handled to the end, for the lists and figures."""
    if WorkOrder.objects.exists():
        return
    rng = random.Random(7)
    texts = corpus.read()[:DEMO_ORDERS]
    lng_min, lat_min, lng_max, lat_max = geo.DEFAULT_BOUNDS
    operator = staff["operator"]
    for serial, (text, _code) in enumerate(texts, start=1):
        hot = rng.random() < 0.5  # half of them in the urban core: the map shows a hot spot
        lng = rng.uniform(113.78, 113.86) if hot else rng.uniform(lng_min, lng_max)
        lat = rng.uniform(34.00, 34.07) if hot else rng.uniform(lat_min, lat_max)
        order = intake.submit(
            intake.Report(
                text=text,
                kind=rng.choice([Kind.COMPLAINT, Kind.HELP, Kind.REPORT, Kind.SUGGESTION]),
                channel=rng.choice([Channel.HOTLINE, Channel.WEB, Channel.GRID]),
                lng=f"{lng:.6f}",
                lat=f"{lat:.6f}",
                reporter_name="市民示例",
                reporter_phone=f"1700001{serial:04d}",
            )
        )
        if order.status == Status.REGISTERED:
            continue
        if rng.random() < 0.6:
            handler = _handler_for(order)
            if handler is None:
                continue
            handling.accept(order, actor=handler)
            handling.reply(order, actor=handler, text="已现场核实并处理完毕。")
            result = rng.choice([Satisfaction.SATISFIED] * 4 + [Satisfaction.BASIC])
            closure.callback(order, result=result, actor=operator)


def _handler_for(order):
    return User.objects.filter(
        staff_profile__department=order.department, staff_roles__role=Role.HANDLER
    ).first()


def load(log) -> None:
    categories = load_categories()
    cells = geo.load_cells(geo.read_grid_file())
    load_rules(categories)
    load_sensors(categories)
    load_knowledge(categories)
    staff = load_staff()
    if classifier.current_version() is None:
        report = classifier.train()
        log(f"分类模型 {report.version}：留出集部门准确率 {report.department_accuracy:.1%}")
    load_orders(staff)
    log(
        f"工单分类 {Category.objects.count()} 个，网格 {cells} 个，派单规则 {RoutingRule.objects.count()} 条，"
        f"感知设备 {Sensor.objects.count()} 个，工单 {WorkOrder.objects.count()} 件"
    )
