import pytest
from django.core.exceptions import ValidationError

from tongban.core import testdata
from tongban.core.models import Department, Region, ServiceHall

pytestmark = pytest.mark.django_db


def test_region_codes_are_checked_against_level_and_parent(region_city):
    county = Region.objects.get(code="411002")
    Region(
        code="411002001000", name="西大街道", level=Region.Level.TOWNSHIP, parent=county
    ).full_clean()
    with pytest.raises(ValidationError) as caught:
        Region(
            code="411002001000", name="错层级", level=Region.Level.VILLAGE, parent=county
        ).full_clean()
    assert "乡镇（街道）级" in str(caught.value)
    with pytest.raises(ValidationError, match="上级区划应为 411000"):
        Region(code="411003", name="建安区", level=Region.Level.COUNTY, parent=county).full_clean()
    with pytest.raises(ValidationError, match="6位"):
        Region(
            code="41100", name="坏代码", level=Region.Level.COUNTY, parent=region_city
        ).full_clean()


def test_department_uscc_is_validated(region_city):
    good = testdata.credit_code("11", "411000", 60)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    department = Department(name="测试局", uscc=bad, region=region_city, level=3)
    with pytest.raises(ValidationError) as caught:
        department.full_clean()
    assert caught.value.message_dict["uscc"] == ["统一社会信用代码最后一位不对，请核对"]


def test_hall_kind_must_match_region_level(region_city):
    hall = ServiceHall(
        name="某便民服务站",
        kind=ServiceHall.Kind.VILLAGE_STATION,
        region=region_city,
        address="示例地址",
    )
    with pytest.raises(ValidationError, match="便民服务站不能设在市级区划"):
        hall.full_clean()
