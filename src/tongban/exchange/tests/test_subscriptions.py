"""Outgoing bulk delivery: a department system subscribes to a resource, gets full and incremental
extracts (CSV, Parquet) with manifests and checksums, on a schedule or on demand, and downloads
them with its client-credentials token; every download is checked against the grant and logged."""

import base64
import datetime
import hashlib
import io

import polars as pl
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from tongban.core.audit import AuditRecord
from tongban.exchange.actions import access, subscriptions
from tongban.exchange.actions.errors import ExchangeDenied
from tongban.exchange.audit_actions import AuditAction
from tongban.exchange.models import CallRecord, Consumer, Extract, Subscription
from tongban.exchange.tasks import deliver_subscriptions

from .conftest import PEOPLE, load_rows, person_id, population_rows
from .test_api import token_for

API = "/api/v1/exchange"


@pytest.fixture
def system(other_department):
    return access.create_consumer(
        actor=None,
        code="wj.bulk",
        name="卫健数据仓库",
        kind=Consumer.Kind.SYSTEM,
        department=other_department,
    )


def grant(consumer, resource, items, days=30):
    request = access.request_access(
        actor=None,
        consumer=consumer,
        resource=resource,
        items=items,
        purpose="出生医学证明统计",
        legal_basis="《母婴保健法》",
        valid_until=timezone.localdate() + datetime.timedelta(days=days),
    )
    return access.approve(actor=None, request=request)


@pytest.fixture
def token(system, population):
    consumer, secret = system
    grant(consumer, population, ["xm", "csrq"])
    return token_for(consumer, secret)


def api(token, method, path, **body):
    client = Client()
    call = getattr(client, method)
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body:
        return call(f"{API}/{path}", body, content_type="application/json", **kwargs)
    return call(f"{API}/{path}", **kwargs)


def subscribe(token, **body):
    payload = {"resource": "T_RK", "items": ["xm", "csrq"], "format": "csv", "purpose": "统计"}
    payload.update(body)
    return api(token, "post", "subscriptions", **payload)


def test_subscribe_produce_full_and_download_a_csv_with_its_manifest(token, system):
    created = subscribe(token)
    assert created.status_code == 201, created.content
    assert subscribe(token).status_code == 200  # the same again: one subscription, changed
    sid = created.json()["id"]
    made = api(token, "post", f"subscriptions/{sid}/extracts", mode="full")
    assert made.status_code == 201, made.content
    manifest = made.json()
    assert manifest["resource"] == "T_RK" and manifest["resource_version"] == 1
    assert (manifest["mode"], manifest["rows"], manifest["items"]) == ("full", 3, ["xm", "csrq"])
    assert manifest["period_start"] is None

    file = api(token, "get", f"extracts/{manifest['id']}")
    assert file.status_code == 200 and file["Content-Type"] == "text/csv"
    assert (
        hashlib.sha256(file.content).hexdigest() == manifest["sha256"] == file["X-Checksum-SHA256"]
    )
    digest = base64.b64encode(hashlib.sha256(file.content).digest()).decode()
    assert file["Repr-Digest"] == f"sha-256=:{digest}:"
    frame = pl.read_csv(io.BytesIO(file.content))
    # only the granted items, no ID numbers: the subject travels as its blind index
    assert frame.columns == ["subject_index", "xm", "csrq"]
    assert sorted(frame["xm"].to_list()) == sorted(name for name, _b, _s in PEOPLE)
    assert all(person_id(b, s) not in file.content.decode() for _n, b, s in PEOPLE)

    download = CallRecord.objects.filter(kind="bulk", consumer_code="wj.bulk").get()
    assert (download.outcome, download.rows, download.items) == ("answered", 3, "xm,csrq")
    logged = AuditRecord.objects.filter(action=AuditAction.BULK_DELIVER).get()
    assert logged.detail["extract"] == manifest["id"]
    listed = api(token, "get", f"subscriptions/{sid}/extracts").json()
    assert [m["sha256"] for m in listed] == [manifest["sha256"]]


def test_parquet_keeps_types_and_incremental_holds_only_what_changed(token, population):
    sid = subscribe(token, format="parquet").json()["id"]
    full = api(token, "post", f"subscriptions/{sid}/extracts", mode="full").json()
    rows = population_rows()
    rows[0]["xm"] = "示例甲改"
    load_rows(population, rows[:1], mode="incremental")
    inc = api(token, "post", f"subscriptions/{sid}/extracts", mode="incremental").json()
    assert (inc["mode"], inc["rows"], inc["number"]) == ("incremental", 1, 2)
    assert inc["period_start"] == full["period_end"]
    file = api(token, "get", f"extracts/{inc['id']}")
    assert file["Content-Type"] == "application/vnd.apache.parquet"
    frame = pl.read_parquet(io.BytesIO(file.content))
    assert frame["xm"].to_list() == ["示例甲改"]
    assert frame.schema["csrq"] == pl.Date
    empty = api(token, "post", f"subscriptions/{sid}/extracts", mode="incremental").json()
    assert empty["rows"] == 0  # on demand an empty increment still answers, with 0 rows


def test_the_nightly_run_makes_a_full_then_increments_only_when_something_changed(
    token, population
):
    subscribe(token)
    assert deliver_subscriptions() == 1
    assert deliver_subscriptions() == 0  # nothing changed, no empty file
    load_rows(population, population_rows()[1:2], mode="incremental")
    assert deliver_subscriptions() == 1
    modes = list(Extract.objects.order_by("number").values_list("mode", "trigger", "rows"))
    assert modes == [("full", "schedule", 3), ("incremental", "schedule", 1)]
    later = timezone.now() + datetime.timedelta(days=8)
    assert subscriptions.produce_due(now=later) == 1
    assert Extract.objects.order_by("-number").first().mode == "full"


def test_subscribing_to_ungranted_items_or_without_a_grant_is_refused_and_logged(
    token, system, population, other_department
):
    refused = subscribe(token, items=["xm", "xb"])
    assert refused.status_code == 403
    assert refused.json() == {"code": "item_not_granted", "detail": "未获授权的信息项：xb"}
    stranger, secret = access.create_consumer(
        actor=None, code="x.sys", name="他人系统", kind="system", department=other_department
    )
    other = subscribe(token_for(stranger, secret))
    assert other.status_code == 403 and other.json()["code"] == "not_granted"
    assert CallRecord.objects.filter(kind="bulk", outcome="denied").count() == 2
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"purpose": ""}, 400, "missing_purpose"),
        ({"resource": "NOPE"}, 404, "unknown_resource"),
        ({"format": "xlsx"}, 400, "invalid"),
        ({"items": []}, 400, "invalid"),
    ],
)
def test_bad_subscriptions_get_a_clear_4xx(token, body, status, code):
    answer = subscribe(token, **body)
    assert answer.status_code == status and answer.json()["code"] == code, answer.content


def test_another_system_cannot_see_or_download_the_files(token, system, other_department):
    sid = subscribe(token).json()["id"]
    extract_id = api(token, "post", f"subscriptions/{sid}/extracts", mode="full").json()["id"]
    stranger, secret = access.create_consumer(
        actor=None, code="x.sys", name="他人系统", kind="system", department=other_department
    )
    theirs = token_for(stranger, secret)
    assert api(theirs, "get", f"subscriptions/{sid}/extracts").status_code == 404
    assert api(theirs, "post", f"subscriptions/{sid}/extracts", mode="full").status_code == 404
    answer = api(theirs, "get", f"extracts/{extract_id}")
    assert answer.status_code == 404 and b"xm" not in answer.content
    refused = CallRecord.objects.get(consumer_code="x.sys")
    assert (refused.outcome, refused.kind) == ("denied", "bulk")


def test_a_revoked_grant_stops_downloads_of_files_made_before(token, system):
    consumer, _secret = system
    sid = subscribe(token).json()["id"]
    extract_id = api(token, "post", f"subscriptions/{sid}/extracts", mode="full").json()["id"]
    for live in consumer.grants.all():
        access.revoke_grant(actor=None, grant=live, reason="停止合作")
    answer = api(token, "get", f"extracts/{extract_id}")
    assert answer.status_code == 403
    assert answer.json() == {"code": "grant_revoked", "detail": "对该资源的授权已被撤销"}
    assert CallRecord.objects.filter(kind="bulk", outcome="denied").exists()


def test_incremental_before_any_full_and_bad_mode_are_refused(token):
    sid = subscribe(token).json()["id"]
    early = api(token, "post", f"subscriptions/{sid}/extracts", mode="incremental")
    assert early.status_code == 409 and early.json()["code"] == "no_full_extract"
    bad = api(token, "post", f"subscriptions/{sid}/extracts", mode="weekly")
    assert bad.status_code == 400


def test_a_file_changed_on_disk_is_not_handed_out(token):
    sid = subscribe(token).json()["id"]
    manifest = api(token, "post", f"subscriptions/{sid}/extracts", mode="full").json()
    name = Extract.objects.get(pk=manifest["id"]).file.name
    with default_storage.open(name, "wb") as stored:
        stored.write(b"subject_index,xm\nforged,x\n")
    answer = api(token, "get", f"extracts/{manifest['id']}")
    assert answer.status_code == 409 and answer.json()["code"] == "file_damaged"


def test_an_expired_token_or_no_token_gets_401(token, system):
    from oauth2_provider.models import AccessToken

    AccessToken.objects.filter(token=token).update(
        expires=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert subscribe(token).status_code == 401
    assert api("no-such-token", "get", "subscriptions").status_code == 401


def test_a_token_for_another_scope_gets_neither_subscriptions_nor_files(token, system):
    consumer, secret = system
    manifest = api(
        token, "post", f"subscriptions/{subscribe(token).json()['id']}/extracts", mode="full"
    ).json()
    wrong = token_for(consumer, secret, scope="intake")
    logged = CallRecord.objects.count()
    assert api(wrong, "get", "subscriptions").status_code == 403
    assert subscribe(wrong).status_code == 403
    answer = api(wrong, "get", f"extracts/{manifest['id']}")
    assert answer.status_code == 403 and "exchange 权限范围" in answer.json()["detail"]
    assert CallRecord.objects.count() == logged
    assert api(token, "get", f"extracts/{manifest['id']}").status_code == 200


def test_a_resource_shared_only_by_query_offers_no_files(token, population):
    from tongban.exchange.actions import catalogue

    draft = catalogue.new_draft(actor=None, resource=population)
    catalogue.update_draft(actor=None, version=draft, elements={"delivery": "query"})
    catalogue.publish(actor=None, version=draft)
    answer = subscribe(token)
    assert answer.status_code == 403 and answer.json()["code"] == "no_bulk_delivery"


def test_produce_refuses_once_the_grant_is_gone(token, system):
    consumer, _secret = system
    subscribe(token)
    subscription = Subscription.objects.get()
    for live in consumer.grants.all():
        access.revoke_grant(actor=None, grant=live, reason="停止合作")
    with pytest.raises(ExchangeDenied):
        subscriptions.produce(subscription=subscription, mode="full", trigger="demand")
    assert deliver_subscriptions() == 0
    assert not Extract.objects.exists()
