"""The dashboards' filters (period, region, department) and who may see what.

Supervisors (效能监察), leaders (领导) and platform administrators see every department and the
city; anyone else on the staff sees their own department only. Bad filters raise FilterError with
a message in Chinese that the page shows above the figures."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.permissions import staff_department_id
from tongban.accounts.roles import Role
from tongban.catalog.statistics import region_prefix
from tongban.core.models import Department, Region
from tongban.supervision import conf

CROSS_DEPARTMENT_ROLES = (Role.SUPERVISOR, Role.LEADER)
MAX_DAYS = 732  # two years at most in one view


class FilterError(ValueError):
    pass


def sees_all(user) -> bool:
    return user.has_role(*CROSS_DEPARTMENT_ROLES)  # platform administrators always pass


def threshold() -> int:
    """Counts from 1 up to this − 1 are suppressed in every figure shown (小数抑制)."""
    return conf.min_count()


def _date(value: str, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise FilterError(
            _("{label}格式不正确，请按“年-月-日”填写，例如 2026-01-31").format(label=label)
        ) from None


@dataclass
class Filters:
    start: datetime.date
    end: datetime.date
    department: Department | None = None
    region: Region | None = None

    @property
    def region_prefix(self) -> str | None:
        return region_prefix(self.region.code) if self.region else None

    def query(self) -> str:
        from urllib.parse import urlencode

        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.department:
            params["department"] = self.department.pk
        if self.region:
            params["region"] = self.region.code
        return urlencode(params)

    @property
    def label(self) -> str:
        where = (
            self.department.name
            if self.department
            else (self.region.name if self.region else _("全市"))
        )
        return _("{where}　{start} 至 {end}").format(
            where=where, start=f"{self.start:%Y-%m-%d}", end=f"{self.end:%Y-%m-%d}"
        )


def parse(params, user) -> Filters:
    """Filters from the query string, checked, and narrowed to what `user` may see."""
    today = timezone.localdate()
    start_text = (params.get("start") or "").strip()
    end_text = (params.get("end") or "").strip()
    start = _date(start_text, _("开始日期")) if start_text else today.replace(day=1)
    end = _date(end_text, _("结束日期")) if end_text else today
    if end < start:
        raise FilterError(_("结束日期不能早于开始日期"))
    if (end - start).days > MAX_DAYS:
        raise FilterError(_("统计期间最长两年，请缩短期间"))
    department = region = None
    department_text = (params.get("department") or "").strip()
    if department_text:
        if not department_text.isdigit():
            raise FilterError(_("部门选择不正确，请从列表中选择"))
        department = Department.objects.select_related("region").filter(pk=department_text).first()
        if department is None:
            raise FilterError(_("未找到所选部门，请从列表中选择"))
    region_text = (params.get("region") or "").strip()
    if region_text:
        region = Region.objects.filter(code=region_text).first()
        if region is None:
            raise FilterError(_("未找到所选行政区划，请从列表中选择"))
    if not sees_all(user):
        own = staff_department_id(user)
        if own is None:
            raise FilterError(_("您的账号未归属任何部门，无法查看统计"))
        if department is not None and department.pk != own:
            raise FilterError(_("您只能查看本部门的统计数据；跨部门数据仅效能监察和领导可见"))
        if region is not None:
            raise FilterError(_("按区划汇总仅效能监察和领导可见"))
        department = Department.objects.select_related("region").get(pk=own)
    if (
        department is not None
        and region is not None
        and not department.region_id.startswith(region_prefix(region.code))
    ):
        raise FilterError(
            _("{department}不在{region}范围内，请重新选择").format(
                department=department.name, region=region.name
            )
        )
    return Filters(start, end, department, region)


def suppress(count: int | None):
    """None for 1…threshold−1 (shown as “<N”), the count otherwise."""
    if count is None:
        return None
    return None if 0 < count < threshold() else count


def rate(part: int, whole: int) -> float | None:
    if not whole or suppress(whole) is None:
        return None
    return round(100 * part / whole, 1)
