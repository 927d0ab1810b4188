"""Demo hall: the city centre's windows in three groups with the items their departments handle,
the supervisor as hall manager, and the demo clerk `clerk` at window A01. Idempotent."""

from tongban.accounts.models import StaffProfile, User
from tongban.catalog.models import ServiceItem
from tongban.core.models import ServiceHall, Window
from tongban.hall.models import HallSettings, WindowGroup

MAIN_HALL = "许昌市政务服务中心"
KIOSK_KEY = "xuchang-centre-kiosk-1"  # the demo terminal's address; real ones get a random key
# (prefix, name, window numbers, bookable people per half hour)
GROUPS = [
    ("A", "综合受理", ["A01", "A02"], 4),
    ("B", "不动产登记与公积金", ["B01", "B02"], 3),
    ("C", "公安户政", ["C01"], 2),
]


def _group(hall, prefix, name, numbers, capacity) -> WindowGroup:
    group, _ = WindowGroup.objects.update_or_create(
        hall=hall,
        prefix=prefix,
        defaults={"name": name, "slot_capacity": capacity, "ordering": ord(prefix)},
    )
    windows = list(Window.objects.filter(hall=hall, number__in=numbers))
    group.windows.set(windows)
    departments = {d.pk for w in windows for d in w.departments.all()}
    group.items.set(
        ServiceItem.objects.filter(department_id__in=departments, current_version__isnull=False)
    )
    return group


def _seat_clerk(hall) -> None:
    profile = StaffProfile.objects.filter(user__login_name="clerk").first()
    if profile is None or profile.window_id:
        return  # already seated (by an administrator or another loader): leave it
    profile.hall = hall
    profile.window = Window.objects.get(hall=hall, number="A01")
    profile.save(update_fields=["hall", "window"])


def load(log) -> None:
    hall = ServiceHall.objects.filter(name=MAIN_HALL).first()
    if hall is None:
        raise RuntimeError("演示大厅需要先加载区划和大厅（core.demo）")
    setup, _ = HallSettings.objects.get_or_create(hall=hall, defaults={"kiosk_key": KIOSK_KEY})
    managers = User.objects.filter(login_name__in=["supervisor"])
    setup.managers.add(*managers)
    groups = [_group(hall, *row) for row in GROUPS]
    _seat_clerk(hall)
    log(
        f"智慧大厅：{hall.name} 窗口分组 {len(groups)} 个，"
        f"可预约事项 {sum(g.items.count() for g in groups)} 个；"
        f"叫号屏 /hall/{hall.pk}/display/，自助终端 /hall/kiosk/{setup.kiosk_key}/"
    )
