"""Loading the demo exchange through the service layer: the class tree, the resources in the order
of `RESOURCES` (their ids follow it) with their local copies, the consumers with their grants, and
the material substitutes. Idempotent: keyed on class, resource and consumer codes."""

import datetime
import hashlib

from django.conf import settings
from django.utils import timezone

from tongban.core import demo as core_demo
from tongban.core import testdata
from tongban.core.models import Department, Office
from tongban.exchange.actions import access, bulk, catalogue
from tongban.exchange.demo import enterprise_resources as enterprise
from tongban.exchange.demo import personal_resources as personal
from tongban.exchange.demo.common import CLASSES
from tongban.exchange.demo.consumers import (
    CONSUMERS,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    SUBSTITUTES,
)
from tongban.exchange.models import Consumer, Grant, MaterialSubstitute, Resource

RESOURCES = [
    personal.RK_RKJBXX,
    personal.MZ_HJ,
    personal.MZ_HYDJ,
    personal.RS_SBCB,
    enterprise.SJ_QYDJ,
    personal.ZR_BDCDJ,
    personal.WJ_CSYXZM,
    personal.CL_CJRZ,
    personal.GA_JDCJSZ,
    personal.GA_JSRAQ,
    personal.GA_JDCDJ,
    enterprise.WJ_CYRYJK,
    enterprise.RS_QYCB,
    personal.RS_SBKZH,
    enterprise.SW_CKZH,
    personal.GA_XDFZ,
]


def disabled_persons_federation() -> Department:
    """残联 is not among the core demo departments; the exchange needs it as a provider."""
    department, _ = Department.objects.update_or_create(
        uscc=testdata.credit_code("51", "411000", 41),
        defaults={
            "name": "许昌市残疾人联合会",
            "short_name": "市残联",
            "region_id": "411000",
            "level": Department.ExerciseLevel.CITY,
            "nature": Department.Nature.AUTHORISED,
            "phone": "0374-12345",
        },
    )
    Office.objects.get_or_create(department=department, name="康复和教育就业部")
    return department


def tax_bureau() -> Department:
    """The tax bureau (a vertically managed office, not among the core demo departments) provides
    the accounts enterprises reported (纳税人存款账户账号报告)."""
    department, _ = Department.objects.update_or_create(
        uscc=testdata.credit_code("11", "411000", 71),
        defaults={
            "name": "国家税务总局许昌市税务局",
            "short_name": "市税务局",
            "region_id": "411000",
            "level": Department.ExerciseLevel.CITY,
            "nature": Department.Nature.STATUTORY,
            "phone": "0374-12366",
        },
    )
    Office.objects.get_or_create(department=department, name="纳税服务科")
    return department


def _department(key: str) -> Department:
    if key == "cl":
        return disabled_persons_federation()
    if key == "swj":
        return tax_bureau()
    return core_demo.department(key)


def _classes() -> dict:
    nodes = {}
    for order, (code, name, parent) in enumerate(CLASSES):
        nodes[code] = catalogue.ensure_class(
            code=code, name=name, parent=nodes.get(parent), order=order
        )
    return nodes


def _provider_options(plugin: str) -> dict:
    if plugin == "http":
        return {"url": settings.EXCHANGE_DEMO_DEPARTMENT_URL.rstrip("/") + "/query", "retries": 1}
    return {}


def _resource(row, classes) -> Resource:
    code, name, dept, cls, condition, basis, plugin, label, subject, items, rows = row
    resource = Resource.objects.filter(code=code).first()
    if resource is not None:
        return resource
    delivery = "both" if plugin == "local_table" else "query"
    version = catalogue.create_resource(
        actor=None,
        code=code,
        department=_department(dept),
        elements={
            "name": name,
            "resource_class": classes[cls],
            "description": f"{_department(dept).name}提供的{name}（演示数据，虚构）",
            "subject_kind": subject,
            "update_frequency": "实时" if plugin == "http" else "每日",
            "share_condition": condition,
            "share_basis": basis,
            "delivery": delivery,
            "provider_plugin": plugin,
            "provider_options": _provider_options(plugin),
            "provider_label": label,
        },
        items=items,
    )
    catalogue.publish(actor=None, version=version)
    resource = version.resource
    if rows is not None:
        columns = ["subject", *[spec.code for spec in items]]
        content = bulk.csv_bytes(rows(), columns)
        bulk.load_file(
            actor=None,
            resource=resource,
            content=content,
            file_name=f"{code}-full.csv",
            declared_rows=len(rows()),
            sha256=hashlib.sha256(content).hexdigest(),
            source="demo",
        )
    return resource


def _consumer(row) -> Consumer:
    code, name, kind, dept, rate, grants = row
    consumer = Consumer.objects.filter(code=code).first()
    if consumer is None:
        department = core_demo.department(dept) if dept else None
        consumer, _secret = access.create_consumer(
            actor=None,
            code=code,
            name=name,
            kind=kind,
            department=department,
            rate_limit_per_minute=rate,
        )
        if consumer.application is not None:
            application = consumer.application
            application.client_id = DEMO_CLIENT_ID
            application.client_secret = DEMO_CLIENT_SECRET  # hashed on save
            application.save()
    until = timezone.localdate() + datetime.timedelta(days=3 * 365)
    for resource_code, items, purpose, basis in grants:
        resource = Resource.objects.get(code=resource_code)
        if Grant.objects.filter(consumer=consumer, resource=resource).exists():
            continue
        codes = items or list(resource.current_version.items.values_list("code", flat=True))
        request = access.request_access(
            actor=None,
            consumer=consumer,
            resource=resource,
            items=codes,
            purpose=purpose,
            legal_basis=basis,
            valid_until=until,
        )
        if request.status == request.Status.PENDING:
            access.approve(actor=None, request=request, note="演示数据：预先同意")
    return consumer


def load(log) -> None:
    classes = _classes()
    for row in RESOURCES:
        _resource(row, classes)
    for row in CONSUMERS:
        _consumer(row)
    for material, resource_code, items in SUBSTITUTES:
        catalogue.set_substitute(
            actor=None,
            material_name=material,
            resource=Resource.objects.get(code=resource_code),
            items=items,
        )
    log(
        f"数据共享：资源 {Resource.objects.count()} 个，使用方 {Consumer.objects.count()} 个，"
        f"授权 {Grant.objects.count()} 项，可免提交材料 {MaterialSubstitute.objects.count()} 种"
    )
