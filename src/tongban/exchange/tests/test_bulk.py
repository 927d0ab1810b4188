import hashlib
import io

import polars as pl
import pytest

from tongban.exchange.actions import bulk
from tongban.exchange.actions.errors import ExchangeDenied
from tongban.exchange.models import BulkLoad, CallRecord, LocalRecord

from .conftest import load_rows, make_resource, population_rows

COLUMNS = ["subject", "xm", "gmsfhm", "xb", "csrq"]


@pytest.fixture
def empty_resource(department, resource_class):
    return make_resource(department, resource_class)


def deliver(resource, content, *, rows, sha=None, name="rk.csv", mode="full"):
    return bulk.load_file(
        actor=None,
        resource=resource,
        content=content,
        file_name=name,
        declared_rows=rows,
        sha256=sha or hashlib.sha256(content).hexdigest(),
        mode=mode,
    )


def refusal(resource, content, **kwargs) -> ExchangeDenied:
    with pytest.raises(ExchangeDenied) as caught:
        deliver(resource, content, **kwargs)
    return caught.value


def test_good_file_is_loaded_with_its_quality_report(empty_resource):
    load = load_rows(empty_resource, population_rows())
    assert load.status == BulkLoad.Status.LOADED and load.loaded_rows == 3
    assert load.report["validity"] == 1.0 and load.report["duplicates"] == 0
    assert LocalRecord.objects.filter(resource=empty_resource).count() == 3
    assert CallRecord.objects.get(kind="bulk").rows == 3


def test_same_file_again_changes_nothing(empty_resource):
    first = load_rows(empty_resource, population_rows())
    again = load_rows(empty_resource, population_rows())
    assert again.pk == first.pk
    assert BulkLoad.objects.count() == 1 and LocalRecord.objects.count() == 3


def test_wrong_checksum_is_refused_and_nothing_loaded(empty_resource):
    content = bulk.csv_bytes(population_rows(), COLUMNS)
    denial = refusal(empty_resource, content, rows=3, sha="0" * 64)
    assert denial.code == "checksum_mismatch" and "校验和" in denial.message
    assert not LocalRecord.objects.exists()
    assert BulkLoad.objects.get().status == BulkLoad.Status.REJECTED
    assert CallRecord.objects.get().outcome == "denied"


def test_wrong_row_count_is_refused(empty_resource):
    content = bulk.csv_bytes(population_rows(), COLUMNS)
    assert refusal(empty_resource, content, rows=5).code == "row_count_mismatch"


def test_broken_rows_refuse_the_whole_file_with_reasons(empty_resource):
    rows = population_rows()
    rows[1]["csrq"] = "1990-13-45"
    rows[2]["xb"] = "未知"
    rows.append(dict(rows[0]))  # duplicate subject
    rows.append({**rows[0], "subject": "411002199001020999", "gmsfhm": "411002199001020999"})
    content = bulk.csv_bytes(rows, COLUMNS)
    denial = refusal(empty_resource, content, rows=5)
    assert denial.code == "broken_rows"
    report = BulkLoad.objects.get().report
    reasons = {entry["row"]: entry["reason"] for entry in report["rejected"]}
    assert "出生日期应为日期" in reasons[3]
    assert "性别不在代码表内" in reasons[4]
    assert "主体重复" in reasons[2] and "主体重复" in reasons[5]
    assert "主体证件号码不正确" in reasons[6]
    assert report["rejected_rows"] == 5 and report["duplicates"] == 2
    assert not LocalRecord.objects.exists()


def test_unknown_columns_are_refused(empty_resource):
    content = b"subject,xm,shoe\n411002194005060014,x,42\n"
    assert refusal(empty_resource, content, rows=1).code == "bad_header"


def test_unreadable_file_is_refused(empty_resource):
    content = b'subject,xm\n"411002194005060014,x\n'
    assert refusal(empty_resource, content, rows=1).code in {"broken_file", "row_count_mismatch"}
    assert not LocalRecord.objects.exists()


def test_parquet_incremental_load_updates_and_adds(empty_resource):
    load_rows(empty_resource, population_rows()[:2])
    rows = population_rows()
    rows[0]["xm"] = "示例甲改"
    frame = pl.DataFrame({c: [r[c] for r in rows] for c in COLUMNS})
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    deliver(empty_resource, buffer.getvalue(), rows=3, name="rk.parquet", mode="incremental")
    assert LocalRecord.objects.filter(resource=empty_resource).count() == 3
    from tongban.exchange.plugins import LocalTableProvider

    version = empty_resource.current_version
    items = list(version.items.filter(code="xm"))
    answer = LocalTableProvider().fetch(version, items, [rows[0]["subject"]])
    assert answer[rows[0]["subject"]] == {"xm": "示例甲改"}


def test_batched_encryption_and_blind_index_match_the_single_ones():
    from tongban.core import pii

    values = ["411002194005060012", " 411002-194005060012 ", "示例"]
    assert pii.blind_indexes(values, "citizen_id") == [
        pii.blind_index(v, "citizen_id") for v in values
    ]
    sealed = pii.encrypt_many(values)
    assert [pii.decrypt(s) for s in sealed] == values
    assert len(set(sealed)) == 3 and values[0] not in sealed[0]  # own nonce each, never plain
    # identifiers without separators take the column-wise path: upper-cased, None as empty
    clean = ["41100219400506001x", None, "", "91411002MA47ABCD1X"]
    assert pii.blind_indexes(clean, "citizen_id") == [
        pii.blind_index(v, "citizen_id") for v in clean
    ]
    assert pii.blind_indexes([], "citizen_id") == [] and pii.encrypt_many([]) == []


def test_a_load_that_fails_while_writing_keeps_the_old_copy(empty_resource, monkeypatch):
    """Rows are written in chunks; a failure in a later chunk must not leave the first ones, nor
    remove the copy loaded before."""
    from tongban.core import pii

    load_rows(empty_resource, population_rows())
    before = set(LocalRecord.objects.values_list("subject_index", "data"))
    monkeypatch.setattr(bulk, "CHUNK", 1)
    real, calls = pii.encrypt_many, []

    def failing(values):
        calls.append(values)
        if len(calls) == 2:
            raise OSError("磁盘已满")
        return real(values)

    monkeypatch.setattr(pii, "encrypt_many", failing)
    rows = population_rows()
    rows[0]["xm"] = "示例甲改"
    content = bulk.csv_bytes(rows, COLUMNS)
    with pytest.raises(OSError):
        deliver(empty_resource, content, rows=3)
    assert set(LocalRecord.objects.values_list("subject_index", "data")) == before
    assert BulkLoad.objects.filter(status=BulkLoad.Status.LOADED).count() == 1


def test_loaded_rows_keep_their_types_and_blank_cells_are_empty(empty_resource):
    from tongban.exchange.actions import catalogue
    from tongban.exchange.actions.catalogue import ItemSpec
    from tongban.exchange.plugins import LocalTableProvider

    draft = catalogue.new_draft(actor=None, resource=empty_resource)
    catalogue.add_item(actor=None, version=draft, spec=ItemSpec("hjrs", "户籍人数", "integer"))
    catalogue.add_item(actor=None, version=draft, spec=ItemSpec("sfhz", "是否户主", "boolean"))
    catalogue.add_item(actor=None, version=draft, spec=ItemSpec("zz", "住址"))
    catalogue.publish(actor=None, version=draft)
    rows = population_rows()[:2]
    rows[0].update(hjrs="3", sfhz="true", zz="许昌市魏都区示例路1号")
    rows[1].update(hjrs=" ", sfhz="false", zz="")
    columns = [*COLUMNS, "hjrs", "sfhz", "zz"]
    content = bulk.csv_bytes(rows, columns)
    deliver(empty_resource, content, rows=2)
    version = empty_resource.versions.get(status="published")
    version.resource = empty_resource
    items = list(version.items.filter(code__in=["xm", "hjrs", "sfhz", "zz"]))
    answer = LocalTableProvider().fetch(version, items, [r["subject"] for r in rows])
    assert answer[rows[0]["subject"]] == {
        "xm": "示例甲",
        "hjrs": 3,
        "sfhz": True,
        "zz": "许昌市魏都区示例路1号",
    }
    assert answer[rows[1]["subject"]] == {"xm": "示例乙", "hjrs": None, "sfhz": False, "zz": None}


def test_the_load_command_loads_a_delivered_file_and_refuses_a_broken_one(empty_resource, tmp_path):
    from django.core.management import CommandError, call_command

    content = bulk.csv_bytes(population_rows(), COLUMNS)
    path = tmp_path / "rk.csv"
    path.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    out = io.StringIO()
    args = ["exchange", "load", empty_resource.code, str(path), "--rows", "3"]
    call_command(*args, "--sha256", digest, stdout=out)
    assert "已装载 3 行" in out.getvalue()
    assert LocalRecord.objects.filter(resource=empty_resource).count() == 3
    changed = population_rows()
    changed[0]["xm"] = "示例甲改"
    path.write_bytes(bulk.csv_bytes(changed, COLUMNS))  # a file other than the one declared
    with pytest.raises(CommandError, match="文件未装载：文件校验和"):
        call_command(*args, "--sha256", digest)
    with pytest.raises(CommandError, match="没有代码为 NOPE"):
        call_command("exchange", "load", "NOPE", str(path), "--rows", "3", "--sha256", digest)
    with pytest.raises(CommandError, match="用法"):
        call_command("exchange", "load", empty_resource.code)
