"""The demo loads, and 张示例's 居民身份证 waives the ID-card material of 高龄津贴申领."""

import pytest

from tongban.applications import actions as intake
from tongban.licences.models import Licence

pytestmark = pytest.mark.django_db


def test_demo_licences_make_waiving_demonstrable():
    from tongban.accounts import demo as accounts_demo
    from tongban.catalog import demo as catalog_demo
    from tongban.core import demo as core_demo
    from tongban.licences import demo
    from tongban.seals import demo as seals_demo

    lines = []
    for loader in (core_demo, accounts_demo, seals_demo, catalog_demo, demo):
        loader.load(lines.append)
    demo.load(lines.append)  # idempotent
    assert lines[-1].endswith("新签发 0 张"), lines
    assert Licence.objects.count() == 8
    from tongban.accounts.models import CitizenProfile
    from tongban.catalog.models import ServiceItem

    zhang = CitizenProfile.objects.get(real_name="张示例").user
    item = ServiceItem.objects.filter(current_version__name__contains="高龄津贴").first()
    answers = {
        q.pk: q.options.order_by("pk").first().pk for q in item.current_version.questions.all()
    }
    application = intake.start_application(
        owner=zhang, service_item=item, channel="pc", answers=answers
    )
    offers = [row for row in intake.material_checklist(application) if row["licence_offer"]]
    assert offers and offers[0]["licence_offer"].licence_type.name in ("居民身份证", "居民户口簿")

    from tongban.catalog import statistics

    figures = statistics.licence_waivable()
    assert figures["materials"] > 0 and figures["items"] > 0
    assert figures["items_without_paper"] <= figures["items"]
    assert statistics.licence_waivable(department=item.department)["items"] >= 1
