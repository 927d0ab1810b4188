import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from tongban.core import testdata

pytestmark = pytest.mark.django_db
CHECK_URL = "/api/v1/identifiers/check"


def _check(client, kind, value):
    return client.post(CHECK_URL, {"type": kind, "value": value}, content_type="application/json")


def test_identifier_check_answers_valid_or_the_exact_reason(client, region_city):
    number = testdata.citizen_id()
    ok = _check(client, "citizen_id", number).json()
    assert ok == {
        "valid": True,
        "reason": "",
        "details": {"region_code": "411002", "birth_date": "1950-03-01", "gender": "男"},
    }
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert _check(client, "citizen_id", wrong).json()["reason"] == "身份证号码最后一位不对，请核对"
    assert _check(client, "uscc", testdata.credit_code()).json()["valid"] is True
    assert _check(client, "region", "411099").json()["reason"] == "行政区划代码不存在"
    assert _check(client, "region", "411002").json()["details"]["name"] == "魏都区"


def test_identifier_check_rejects_malformed_requests_in_chinese(client):
    response = _check(client, "passport", "E12345678")
    assert response.status_code == 400
    assert "不支持的类型" in response.json()["errors"]["type"][0]
    assert client.post(CHECK_URL, "not json", content_type="application/json").status_code == 400
    assert client.get(CHECK_URL).status_code == 405  # never in a URL


def test_identifier_check_is_rate_limited(client, settings):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"identifier_check": "3/min"},
    }
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    ScopedRateThrottle.THROTTLE_RATES = {"identifier_check": "3/min"}
    try:
        codes = [_check(client, "uscc", "x").status_code for _ in range(4)]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert codes == [200, 200, 200, 429]


def test_due_date_counts_working_days_from_the_day_after_start(client):
    response = client.get("/api/v1/calendar/due-date", {"start": "2026-02-13", "days": 2})
    assert response.json() == {
        "start": "2026-02-13",
        "days": 2,
        "due_date": "2026-02-24",
        "latest_due_date": "2026-02-24",
        "confirmed": True,
        "unconfirmed_years": [],
    }


def test_due_date_into_an_unconfirmed_year_says_so(client):
    body = client.get("/api/v1/calendar/due-date", {"start": "2026-12-20", "days": 20}).json()
    assert body["confirmed"] is False and body["unconfirmed_years"] == [2027]


def test_due_date_across_spring_festival_2027_counts_it_until_the_year_is_confirmed(
    client, platform_admin
):
    """Issue 19 (2): one calendar row for 2027 neither confirms the year nor drops 春节."""
    from tongban.core import calendar_actions

    with time_machine.travel(dt.datetime(2026, 12, 4, 10), tick=False):
        calendar_actions.set_day(
            actor=platform_admin, date=dt.date(2027, 1, 1), is_working_day=False, name="元旦"
        )
        query = {"start": "2027-02-04", "days": 20}
        body = client.get("/api/v1/calendar/due-date", query).json()
        assert body["due_date"] == "2027-03-10"  # not 03-04: 春节 and its 补假 are rest days
        assert body["latest_due_date"] == "2027-03-12"  # the schedule may rest until 初八
        assert body["confirmed"] is False and body["unconfirmed_years"] == [2027]
        calendar_actions.confirm_year(actor=platform_admin, year=2027, basis="国办发明电")
        body = client.get("/api/v1/calendar/due-date", query).json()
    assert body["confirmed"] is True and body["latest_due_date"] == body["due_date"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-02-30", "days": 5}, "start", "日期格式应为 YYYY-MM-DD"),
        ({"start": "2026-02-01", "days": -1}, "days", "工作日数不能为负数"),
        ({"start": "2026-02-01", "days": "ten"}, "days", "工作日数应为整数"),
    ],
)
def test_due_date_bad_input(client, params, field, message):
    response = client.get("/api/v1/calendar/due-date", params)
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/identifiers/check" in response.content
