"""The workbench navigation, built from each page's own access guard.

Every entry names the page it links to; the link is offered when that page's guard (the
`access_guard` that `accounts.permissions.role_required` puts on the view) lets the person in, so
no one is offered a page that answers 403. A few pages let every staff member in but have nothing
for some roles (the case queue for a catalogue administrator); their entry adds a `relevant` test
so the link is not offered to someone who would find the page empty. Tools for whoever runs the
platform (the SMS gateway simulator, the API documentation) are not daily work and are not here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tongban.accounts.roles import Role
from tongban.hall.policy import has_window, manages_any_hall

CASE_ROLES = (
    Role.WINDOW_CLERK,
    Role.HANDLER,
    Role.REVIEWER,
    Role.APPROVER,
    Role.SUPERVISOR,
    Role.LEADER,
)


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: Promise
    # How the current page is recognised: "path" (the same path) or "app" (any page of the app).
    current: str = "path"
    relevant: Callable | None = None

    def url(self) -> str:
        return reverse(self.url_name)

    def guard(self) -> Callable:
        """The access guard of the view this entry links to."""
        view = resolve(self.url()).func
        guard = getattr(view, "access_guard", None)
        if guard is None:
            raise LookupError(f"{self.url_name}: the view declares no access guard")
        return guard

    def offered_to(self, user) -> bool:
        return self.guard()(user) and (self.relevant is None or self.relevant(user))

    def is_current(self, request) -> bool:
        url = self.url()
        if self.current == "app":
            match = request.resolver_match
            return bool(match) and match.app_name == resolve(url).app_name
        return request.path == url


def _handles_cases(user) -> bool:
    return user.has_role(*CASE_ROLES)


ENTRIES = (
    Entry("workbench:home", _("工作台首页")),
    Entry("cases:list", _("办件办理"), relevant=_handles_cases),
    Entry("bundles_staff:applications", _("一件事"), current="app"),
    Entry("intake_staff:proxy-start", _("窗口代办")),
    Entry("hall_staff:console", _("窗口叫号"), relevant=has_window),
    Entry("cases:supervision", _("效能督办")),
    Entry("supervision:dashboard", _("效能监察"), current="app"),
    Entry("catalog_staff:items", _("事项管理"), current="app"),
    Entry("rules_staff:list", _("规则管理"), current="app"),
    Entry("licences_staff:list", _("证照管理"), current="app"),
    Entry("cases:instant-checks", _("事后抽查")),
    Entry("hall_staff:boards", _("大厅监测"), relevant=manages_any_hall),
    Entry("workorders_staff:list", _("12345工单")),
    Entry("workorders_staff:hotline", _("话务台")),
    Entry("workorders_staff:grid", _("网格员上报")),
    Entry("workorders_staff:patrol", _("数字城管巡查上报")),
    Entry("ratings_staff:list", _("差评整改")),
    Entry("ratings_staff:supervision", _("差评督办")),
    Entry("ratings_staff:visit-new", _("窗口评价码")),
    Entry("ratings_staff:mine", _("我的评价")),
    Entry("policies_staff:list", _("惠民惠企政策"), current="app"),
    Entry("exchange_staff:resources", _("数据共享"), current="app"),
)


def entries_for(request) -> list[dict]:
    """The links this person is offered, in order, each with whether it is the current page."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return []
    links = [
        {"url": entry.url(), "label": entry.label, "current": entry.is_current(request)}
        for entry in ENTRIES
        if entry.offered_to(user)
    ]
    if admin.site.has_permission(request):
        links.append({"url": reverse("admin:index"), "label": _("管理后台"), "current": False})
    # Pages every signed-in person has: their account, and the public site.
    links.append(
        {
            "url": reverse("accounts:profile"),
            "label": _("我的账户"),
            "current": request.path == reverse("accounts:profile"),
        }
    )
    links.append({"url": reverse("portal:home"), "label": _("返回门户网站"), "current": False})
    return links
