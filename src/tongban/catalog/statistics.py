"""Catalogue statistics from the published catalogue (each item's current published version).

网上可办率 = items handled online / items; 最多跑一次率 = items with at most one visit / items;
零跑动率 = items with no visit / items; 即办件占比 = 即办件 / items; 承诺时限压缩比 =
Σ(legal − promised) / Σ legal over items that have a legal limit, both in working-day terms.
"""

from dataclasses import dataclass

from tongban.catalog.actions import working_day_equivalent
from tongban.catalog.models import ServiceItem
from tongban.core.models import Department, Region


@dataclass
class Figures:
    items: int = 0
    online: int = 0
    at_most_once: int = 0
    zero_visit: int = 0
    immediate: int = 0
    legal_days: float = 0.0
    cut_days: float = 0.0

    def add(self, is_online, visits, handling_type, legal, legal_unit, promised, promised_unit):
        self.items += 1
        self.online += bool(is_online)
        self.at_most_once += visits <= 1
        self.zero_visit += visits == 0
        self.immediate += handling_type == "1"
        legal_wd = working_day_equivalent(legal, legal_unit)
        promised_wd = working_day_equivalent(promised, promised_unit)
        if legal_wd and promised_wd is not None:
            self.legal_days += legal_wd
            self.cut_days += legal_wd - promised_wd

    @staticmethod
    def _rate(part, whole) -> float | None:
        return round(100 * part / whole, 2) if whole else None

    @property
    def online_rate(self):
        return self._rate(self.online, self.items)

    @property
    def at_most_once_rate(self):
        return self._rate(self.at_most_once, self.items)

    @property
    def zero_visit_rate(self):
        return self._rate(self.zero_visit, self.items)

    @property
    def immediate_share(self):
        return self._rate(self.immediate, self.items)

    @property
    def compression_ratio(self):
        return self._rate(self.cut_days, self.legal_days)

    def as_dict(self) -> dict:
        return {
            "items": self.items,
            "online": self.online,
            "online_rate": self.online_rate,
            "at_most_once": self.at_most_once,
            "at_most_once_rate": self.at_most_once_rate,
            "zero_visit": self.zero_visit,
            "zero_visit_rate": self.zero_visit_rate,
            "immediate": self.immediate,
            "immediate_share": self.immediate_share,
            "compression_ratio": self.compression_ratio,
        }


VALUES = (
    "department_id",
    "region_id",
    "current_version__is_online",
    "current_version__max_visits",
    "current_version__handling_type",
    "current_version__legal_limit",
    "current_version__legal_limit_unit",
    "current_version__promised_limit",
    "current_version__promised_limit_unit",
)


def region_prefix(code: str) -> str:
    """The code prefix shared by a region and everything under it (411000 → 4110)."""
    if len(code) == 12:
        return code[:9] if code[9:] == "000" else code
    if code[2:] == "0000":
        return code[:2]
    if code[4:] == "00":
        return code[:4]
    return code


def compute(*, department: Department | None = None, region: Region | None = None) -> dict:
    """Overall figures plus one row per department and per region (one query)."""
    queryset = ServiceItem.objects.filter(current_version__isnull=False)
    if department is not None:
        queryset = queryset.filter(department=department)
    if region is not None:
        queryset = queryset.filter(region__code__startswith=region_prefix(region.code))
    total = Figures()
    by_department: dict[int, Figures] = {}
    by_region: dict[str, Figures] = {}
    for dept_id, region_id, *facts in queryset.values_list(*VALUES).iterator(chunk_size=2000):
        total.add(*facts)
        by_department.setdefault(dept_id, Figures()).add(*facts)
        by_region.setdefault(region_id, Figures()).add(*facts)
    departments = Department.objects.in_bulk(list(by_department))
    regions = Region.objects.in_bulk(list(by_region))
    return {
        "total": total,
        "departments": sorted(
            ((departments[k], v) for k, v in by_department.items()), key=lambda kv: kv[0].name
        ),
        "regions": sorted(
            ((regions[k], v) for k, v in by_region.items()), key=lambda kv: kv[0].code
        ),
    }


def licence_waivable(*, department: Department | None = None) -> dict:
    """免证可办: in the published catalogue, materials an e-licence can replace, items with at
    least one such material, and items whose every required material can be replaced (three queries)."""
    from django.db.models import Count, F, Q

    from tongban.catalog.models import Material

    current = Material.objects.filter(version__item__current_version=F("version"))
    items = ServiceItem.objects.filter(current_version__isnull=False)
    if department is not None:
        current = current.filter(version__item__department=department)
        items = items.filter(department=department)
    replaceable = ~Q(current_version__materials__replaceable_by_licence_type="")
    counted = items.annotate(
        required=Count(
            "current_version__materials", filter=Q(current_version__materials__required=True)
        ),
        waivable=Count(
            "current_version__materials",
            filter=Q(current_version__materials__required=True) & replaceable,
        ),
        any_waivable=Count("current_version__materials", filter=replaceable),
    )
    return {
        "materials": current.exclude(replaceable_by_licence_type="").count(),
        "items": counted.filter(any_waivable__gt=0).count(),
        "items_without_paper": counted.filter(required__gt=0, required=F("waivable")).count(),
    }
