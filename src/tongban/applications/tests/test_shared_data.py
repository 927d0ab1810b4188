"""免证可办 through the data exchange: a material fulfilled by shared data instead of an upload."""

import datetime
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tongban.applications import actions
from tongban.exchange.actions import access, catalogue
from tongban.exchange.models import CallRecord, Consumer, MaterialVerification
from tongban.exchange.templatetags.exchange_tags import case_shared_data
from tongban.testing.exchange import load_rows, make_resource, population_rows
from tongban.testing.factories import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate_free(department):
    resource_class = catalogue.ensure_class(code="JCK-RK", name="人口基础信息库")
    resource = make_resource(department, resource_class)
    load_rows(resource, population_rows())
    consumer, _ = access.create_consumer(
        actor=None,
        code="platform.certificate_free",
        name="免证可办（平台）",
        kind=Consumer.Kind.PLATFORM,
        department=None,
    )
    request = access.request_access(
        actor=None,
        consumer=consumer,
        resource=resource,
        items=["xm", "gmsfhm", "csrq"],
        purpose="以共享数据代替申请材料",
        legal_basis="依据",
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    access.approve(actor=None, request=request)
    catalogue.set_substitute(
        actor=None, material_name="材料1", resource=resource, items=["xm", "gmsfhm", "csrq"]
    )
    return resource


def _draft(citizen, published_item):
    application = actions.start_application(
        owner=citizen, service_item=published_item, channel="pc"
    )
    actions.save_section(
        application=application,
        actor=citizen,
        section=1,
        raw={"request_detail": "申请领取高龄津贴"},
    )
    return application


def _row(application, name):
    return next(r for r in actions.material_checklist(application) if r["material"].name == name)


def _use(client, application, material, consent=True):
    return client.post(
        f"/my/cases/{application.public_id}/shared-data/{material.pk}/",
        {"consent": "on"} if consent else {},
        follow=True,
    )


def test_consent_lets_shared_data_stand_in_for_the_material(
    citizen, published_item, certificate_free
):
    application = _draft(citizen, published_item)
    row = _row(application, "材料1")
    assert row["missing"] and row["shared_offer"] is not None
    client = Client()
    client.force_login(citizen)
    page = _use(client, application, row["material"]).content.decode()
    assert "已由公安人口库核验" in page
    row = _row(application, "材料1")
    assert row["shared_use"] is not None and not row["missing"]
    assert "材料1" not in str(actions.submission_problems(application).get("materials", ""))
    # provenance for staff: source, resource, call record
    staff_view = case_shared_data(application)["rows"][0]
    assert staff_view["v"].provider_label == "公安人口库"
    assert {f.label: f.value for f in staff_view["facts"]}["出生日期"] == "1940-05-06"
    assert "*" in {f.label: f.value for f in staff_view["facts"]}["公民身份号码"]
    record = CallRecord.objects.get(pk=staff_view["v"].call_record_id)
    assert (
        record.consumer_code == "platform.certificate_free"
        and record.case_ref == application.reference
    )
    # the citizen's 用数记录 lists the read
    assert "免证可办（平台）" in client.get("/data-use/").content.decode()


def test_without_consent_nothing_is_read(citizen, published_item, certificate_free):
    application = _draft(citizen, published_item)
    client = Client()
    client.force_login(citizen)
    page = _use(client, application, _row(application, "材料1")["material"], consent=False)
    assert "请先勾选同意" in page.content.decode()
    assert not CallRecord.objects.filter(kind="query").exists()


def test_provider_down_falls_back_to_upload_and_keeps_what_was_typed(
    citizen, published_item, certificate_free
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    draft = catalogue.new_draft(actor=None, resource=certificate_free)
    catalogue.update_draft(
        actor=None,
        version=draft,
        elements={
            "provider_plugin": "http",
            "provider_options": {"url": f"http://127.0.0.1:{closed_port}/query", "retries": 0},
        },
    )
    catalogue.publish(actor=None, version=draft)
    application = _draft(citizen, published_item)
    client = Client()
    client.force_login(citizen)
    page = _use(client, application, _row(application, "材料1")["material"]).content.decode()
    assert "暂时无法核验" in page and "请上传材料1" in page
    assert _row(application, "材料1")["missing"]
    assert not MaterialVerification.objects.exists()
    application.refresh_from_db()
    assert application.data["request_detail"] == "申请领取高龄津贴"
    assert CallRecord.objects.get(kind="query").outcome == "failed"


def test_release_goes_back_to_upload(citizen, published_item, certificate_free):
    application = _draft(citizen, published_item)
    material = _row(application, "材料1")["material"]
    client = Client()
    client.force_login(citizen)
    _use(client, application, material)
    client.post(f"/my/cases/{application.public_id}/shared-data/{material.pk}/release/")
    assert _row(application, "材料1")["missing"]


def test_prefill_reads_the_address_from_population_data_once(citizen, published_item, department):
    from tongban.exchange.actions import bulk
    from tongban.exchange.actions.catalogue import ItemSpec
    from tongban.testing.exchange import ITEMS

    own = citizen.citizen.id_number
    resource_class = catalogue.ensure_class(code="JCK-RK", name="人口基础信息库")
    version = catalogue.create_resource(
        actor=None,
        code="RK_RKJBXX",
        department=department,
        elements={
            "name": "人口基础信息",
            "resource_class": resource_class,
            "share_condition": "conditional",
            "share_basis": "依据",
            "delivery": "both",
            "provider_plugin": "local_table",
            "provider_options": {},
        },
        items=[*ITEMS, ItemSpec("zz", "住址")],
    )
    catalogue.publish(actor=None, version=version)
    columns = ["subject", "xm", "gmsfhm", "xb", "csrq", "zz"]
    content = bulk.csv_bytes(
        [
            {
                "subject": own,
                "xm": "示例老人",
                "gmsfhm": own,
                "xb": "男",
                "csrq": "1940-05-06",
                "zz": "许昌市魏都区示例路1号",
            }
        ],
        columns,
    )
    import hashlib

    bulk.load_file(
        actor=None,
        resource=version.resource,
        content=content,
        file_name="rk.csv",
        declared_rows=1,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    consumer, _ = access.create_consumer(
        actor=None,
        code="platform.prefill",
        name="智能免填（平台）",
        kind=Consumer.Kind.PLATFORM,
        department=None,
    )
    request = access.request_access(
        actor=None,
        consumer=consumer,
        resource=version.resource,
        items=["zz"],
        purpose="办事表单预填",
        legal_basis="依据",
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    access.approve(actor=None, request=request)
    application = actions.start_application(
        owner=citizen, service_item=published_item, channel="pc"
    )
    assert application.data["applicant_address"] == "许昌市魏都区示例路1号"
    assert "applicant_address" not in actions.prefilled_fields(application)  # editable
    record = CallRecord.objects.get(kind="query")
    assert (record.consumer_code, record.outcome) == ("platform.prefill", "answered")


def test_prefill_without_the_exchange_leaves_the_field_to_type(citizen, published_item):
    application = actions.start_application(
        owner=citizen, service_item=published_item, channel="pc"
    )
    assert not application.data.get("applicant_address")


def test_the_data_use_record_names_the_case_the_draft_became(
    citizen, published_item, certificate_free
):
    application = _draft(citizen, published_item)
    client = Client()
    client.force_login(citizen)
    _use(client, application, _row(application, "材料1")["material"])
    assert "草稿（未提交）" in client.get("/data-use/").content.decode()
    actions.save_section(
        application=application, actor=citizen, section=2, raw={"delivery_method": "window"}
    )
    for row in actions.material_checklist(application):
        if row["missing"]:
            actions.attach_file(
                application=application,
                actor=citizen,
                material_id=row["material"].pk,
                uploaded=SimpleUploadedFile("材料.pdf", pdf_bytes()),
            )
    submitted = actions.submit(application=application, actor=citizen)
    page = client.get("/data-use/").content.decode()
    assert submitted.case_number in page and "草稿（未提交）" not in page
    # the sealed call record keeps what was known when the data was read
    assert CallRecord.objects.get(case_ref="草稿（未提交）")
