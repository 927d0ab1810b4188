"""Demo accounts: fictional people with valid check digits, one staff member per role."""

import datetime

from django.core.exceptions import ValidationError

from tongban.accounts import actions
from tongban.accounts.models import CitizenProfile, EnterpriseProfile, User
from tongban.accounts.roles import Role
from tongban.accounts.terms import TERMS_VERSION
from tongban.core import demo as core_demo
from tongban.core import pii, testdata
from tongban.core.models import Window

PASSWORD = "Tongban2026"

CITIZENS = [
    # (name, birth date, sequence, male, phone serial)
    ("张示例", datetime.date(1942, 8, 15), 11, True, 1),
    ("李演示", datetime.date(1988, 4, 2), 12, False, 2),
    ("王测试", datetime.date(1995, 11, 30), 13, True, 3),
]
ENTERPRISE = ("许昌示例餐饮管理有限公司", 101, "赵示范", datetime.date(1979, 6, 18), 31, 9)
# A second enterprise, for 智能秒批 demos that need one applicant who passes and one who does not.
SECOND_ENTERPRISE = ("许昌示例洗浴服务有限公司", 102, "钱示范", datetime.date(1983, 3, 9), 32, 8)
STAFF = [
    # (login, name, department key, roles)
    ("admin", "平台管理员", "mz", [Role.PLATFORM_ADMIN]),
    ("clerk", "窗口受理员", "mz", [Role.WINDOW_CLERK]),
    ("handler", "民政承办人", "mz", [Role.HANDLER]),
    ("reviewer", "民政审核人", "mz", [Role.REVIEWER]),
    ("approver", "民政批准人", "mz", [Role.APPROVER]),
    ("supervisor", "效能监察员", "mz", [Role.SUPERVISOR]),
    ("catalog", "事项管理员", "sj", [Role.CATALOGUE_ADMIN]),
    ("sjclerk", "市场监管受理员", "sj", [Role.WINDOW_CLERK, Role.HANDLER]),
]
# Window clerks sit at a window of the city centre (core.demo.HALLS), so 一次一评 works at once.
WORKPLACES = {
    "clerk": ("许昌市政务服务中心", "A01"),
    "sjclerk": ("许昌市政务服务中心", "A02"),
}


def _citizen(name, birth, sequence, male, phone_serial) -> User:
    id_number = testdata.citizen_id("411002", birth, sequence, male)
    existing = CitizenProfile.objects.filter(
        id_index=pii.blind_index(id_number, "citizen_id")
    ).first()
    if existing:
        return existing.user
    return actions.register_citizen(
        real_name=name,
        id_number=id_number,
        phone=testdata.phone(phone_serial),
        password=PASSWORD,
        agreed_terms=TERMS_VERSION,
    )


def _enterprise(name, serial, rep_name, rep_birth, rep_seq, phone_serial) -> User | None:
    """The enterprise's account, registered now; None when it existed already."""
    uscc = testdata.credit_code("91", "411002", serial)
    if EnterpriseProfile.objects.filter(uscc=uscc).exists():
        return None
    return actions.register_enterprise(
        name=name,
        uscc=uscc,
        legal_rep_name=rep_name,
        legal_rep_id_number=testdata.citizen_id("411002", rep_birth, rep_seq),
        phone=testdata.phone(phone_serial),
        password=PASSWORD,
        agreed_terms=TERMS_VERSION,
    )


def load(log) -> None:
    citizens = [_citizen(*row) for row in CITIZENS]
    enterprise_user = _enterprise(*ENTERPRISE)
    if enterprise_user is not None:
        agent = citizens[1]
        actions.authorise_agent(
            enterprise_user=enterprise_user,
            agent_id_number=agent.citizen.id_number,
            agent_name=agent.citizen.real_name,
            all_items=True,
            item_codes=[],
            valid_until=datetime.date.today().replace(year=datetime.date.today().year + 1),
        )
    _enterprise(*SECOND_ENTERPRISE)  # after the first: "the demo enterprise" is the first one
    for login_name, display, department_key, roles in STAFF:
        if User.objects.filter(login_name=login_name).exists():
            continue
        try:
            actions.create_staff(
                actor=None,
                login_name=login_name,
                display_name=display,
                department=core_demo.department(department_key),
                roles=roles,
                password=PASSWORD,
            )
        except ValidationError as exc:  # a real problem in the demo definition: say so loudly
            raise RuntimeError(f"demo staff {login_name}: {exc.messages}") from exc
    _seat_window_clerks()
    log(
        f"演示账户：自然人 {CitizenProfile.objects.count()} 个，法人 {EnterpriseProfile.objects.count()} 个，"
        f"工作人员 {User.objects.filter(kind=User.Kind.STAFF).count()} 个"
    )


def _seat_window_clerks() -> None:
    for login_name, (hall_name, number) in WORKPLACES.items():
        user = User.objects.select_related("staff_profile").get(login_name=login_name)
        if user.staff_profile.window_id is None:
            window = Window.objects.select_related("hall").get(hall__name=hall_name, number=number)
            actions.set_workplace(actor=None, user=user, hall=window.hall, window=window)


def logins() -> list[tuple[str, str, str]]:
    """(who, login, password) for the README and `make run`. All data here is fictional."""
    rows = [
        (
            f"自然人 {name}（{'老年人' if birth.year < 1960 else '市民'}）",
            testdata.phone(serial),
            PASSWORD,
        )
        for name, birth, _seq, _male, serial in CITIZENS
    ]
    rows.append(
        ("法人 " + ENTERPRISE[0], testdata.credit_code("91", "411002", ENTERPRISE[1]), PASSWORD)
    )
    rows.append(("  其经办人 " + CITIZENS[1][0], testdata.phone(CITIZENS[1][4]), PASSWORD))
    rows.append(
        (
            "法人 " + SECOND_ENTERPRISE[0],
            testdata.credit_code("91", "411002", SECOND_ENTERPRISE[1]),
            PASSWORD,
        )
    )
    rows += [
        (f"工作人员 {display}（{'、'.join(str(Role(r).label) for r in roles)}）", login, PASSWORD)
        for login, display, _dep, roles in STAFF
    ]
    return rows
