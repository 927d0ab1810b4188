"""The 一件事 comprehensive window of the city hall and the staff of the member departments (their
logins are printed by `tongban demo --logins`)."""

from tongban.accounts import actions as accounts
from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.core import demo as core_demo
from tongban.core.models import ServiceHall, Window

PASSWORD = "Tongban2026"
WINDOW = ("许昌市政务服务中心", "A09", "一件事综合窗口", ["wj", "ga", "yb", "rs", "sj", "cg"])
STAFF = (
    [("yjsclerk", "一件事综合窗口受理员", "wj", [Role.WINDOW_CLERK])]
    + [
        (f"{key}_{role.value.split('_')[0]}", f"{label}{role.label}", key, [role])
        for key, label in [
            ("wj", "卫健"),
            ("ga", "公安"),
            ("yb", "医保"),
            ("rs", "人社"),
            ("sj", "市场监管"),
            ("cg", "城管"),
        ]
        for role in (Role.HANDLER, Role.REVIEWER, Role.APPROVER)
    ]
    + [("rs_window", "人社即办窗口", "rs", [Role.WINDOW_CLERK])]
)


def ensure_staff() -> None:
    hall_name, number, name, keys = WINDOW
    hall = ServiceHall.objects.get(name=hall_name)
    window, _ = Window.objects.get_or_create(
        hall=hall, number=number, defaults={"name": name, "is_comprehensive": True}
    )
    window.departments.set([core_demo.department(k) for k in keys])
    for login, display, key, roles in STAFF:
        if User.objects.filter(login_name=login).exists():
            continue
        user = accounts.create_staff(
            actor=None,
            login_name=login,
            display_name=display,
            department=core_demo.department(key),
            roles=roles,
            password=PASSWORD,
        )
        if login == "yjsclerk":
            accounts.set_workplace(actor=None, user=user, hall=hall, window=window)


def logins() -> list[tuple[str, str, str]]:
    return [(display, login, PASSWORD) for login, display, _key, _roles in STAFF]
