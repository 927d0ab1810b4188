"""The 12345, 免申即享 and 一件事 sections read DailyServiceFigure, kept by
supervision.service_summary: a change to a row after the day it is counted on (a reply, a
callback) reaches the figures at the next fold, and folding again or from scratch changes nothing."""

import pytest

from tongban.core import demo as core_demo
from tongban.supervision import figures, service_summary, summary
from tongban.supervision.filters import Filters
from tongban.supervision.models import DailyServiceFigure
from tongban.supervision.tests.conftest import D, at
from tongban.workorders import demo as workorders_demo
from tongban.workorders import geo
from tongban.workorders.actions import closure, handling, intake
from tongban.workorders.codes import Channel, Kind, Satisfaction, Status
from tongban.workorders.models import Category

pytestmark = pytest.mark.django_db


def _report(serial: int):
    return intake.submit(
        intake.Report(
            text="小区门口井盖破损，晚上有人差点掉进去",
            kind=Kind.COMPLAINT,
            channel=Channel.HOTLINE,
            lng="113.820000",
            lat="34.030000",
            reporter_name="市民示例",
            reporter_phone=f"1700001{serial:04d}",
        )
    )


def _dump():
    return sorted(
        (r.source, r.day, r.department_id, r.key, r.name, sorted(r.counts.items()))
        for r in DailyServiceFigure.objects.all()
    )


def test_work_orders_reach_the_dashboard_as_they_are_replied_and_called_back(settings):
    settings.SUPERVISION_MIN_COUNT = 1
    core_demo.load_regions()
    core_demo.load_departments()
    categories = workorders_demo.load_categories()
    geo.load_cells(geo.read_grid_file())
    workorders_demo.load_rules(categories)
    staff = workorders_demo.load_staff()
    department = core_demo.department("cg")
    leaf = Category.objects.filter(parent__isnull=False, department=department).first()
    leaf = leaf or Category.objects.filter(parent__isnull=False).first()
    with at(D(2026, 11, 2), 9):
        orders = [_report(n) for n in (1, 2)]
        for order in orders:
            if order.status == Status.REGISTERED:  # not routed by a rule: the dispatcher sends it
                handling.dispatch(
                    order,
                    actor=staff["dispatcher"],
                    department_id=department.pk,
                    category_code=leaf.code,
                )
    for order in orders:
        order.refresh_from_db()
    department = orders[0].department
    assert {o.department for o in orders} == {department}
    with at(D(2026, 11, 2), 18):
        summary.fold()
    month = Filters(D(2026, 11, 1), D(2026, 11, 30))
    section = figures.workorders(month)
    assert section.rows == [{"name": department.name, "total": 2}]
    assert "按时办结率 —%" in section.note and orders[0].category.parent.name in section.note

    with at(D(2026, 11, 3), 10):  # a day later, one order is replied to and called back
        handler = workorders_demo._handler_for(orders[0])
        order = handling.accept(orders[0], actor=handler)
        order = handling.reply(order, actor=handler, text="已现场更换井盖。")
        closure.callback(order, result=Satisfaction.SATISFIED, actor=staff["operator"])
    with at(D(2026, 11, 3), 18):  # the day the order was registered is counted again
        assert service_summary.fold() == 1
    note = figures.workorders(month).note
    assert "按时办结率 100.0%" in note and "回访满意率 100.0%" in note

    folded = _dump()
    with at(D(2026, 11, 4), 18):
        assert service_summary.fold() == 0 and _dump() == folded
        summary.rebuild()
    assert _dump() == folded
    # Another department's staff view: the rows are filtered by department in the table.
    elsewhere = next(
        d for d in (core_demo.department("sw"), core_demo.department("cg")) if d != department
    )
    other = Filters(D(2026, 11, 1), D(2026, 11, 30), elsewhere, None)
    assert figures.workorders(other).rows == []


def test_policies_matched_are_counted_per_policy_from_the_summary(settings):
    from django.db.models import Count
    from django.utils import timezone

    from tongban.accounts import demo as accounts_demo
    from tongban.exchange import demo as exchange_demo
    from tongban.policies import demo as policies_demo
    from tongban.policies.models import Match
    from tongban.seals import demo as seals_demo

    settings.SUPERVISION_MIN_COUNT = 1
    for loader in (core_demo, accounts_demo, seals_demo, exchange_demo, policies_demo):
        loader.load(lambda _line: None)
    summary.fold()
    today = timezone.localdate()
    rows = figures.policies(Filters(today.replace(day=1), today)).rows
    expected = {
        name: n for name, n in Match.objects.values_list("policy__name").annotate(n=Count("pk"))
    }
    assert expected and {r["name"]: r["matched"] for r in rows} == expected
