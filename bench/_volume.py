"""Realistic volume for the capacity benchmark, generated in minutes with bulk inserts.

At scale 1: 10,000 published catalogue items (with materials and 业务办理项), 100,000 citizens and
200,000 submitted applications spread over two years, most of them accepted and completed, each with
its status history and public timeline, the Case row of handling, licences issued at 出证办结 and
好差评 ratings. Scale (TONGBAN_BENCH_SCALE) multiplies the three counts.

Everything personal is fictional and valid: ID numbers and USCCs come from tongban.core.testdata
(correct check characters), phones from the 170 virtual-operator block, names are made-up
"示例/演示/测试" names. Personal data goes through the model fields, so it is encrypted at rest and
blind-indexed exactly as the service layer stores it. The service layer itself is not used for the
bulk rows (that would take hours): this measures serving the data, not creating it.
"""

import contextlib
import datetime
import random
import time
from dataclasses import dataclass, field

ITEMS, CITIZENS, CASES = 10_000, 100_000, 200_000
BATCH = 5_000
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = ["示例", "演示", "测试", "样例"]
SUFFIX = "甲乙丙丁戊己庚辛壬癸"
PROCESS = "网上申报\n窗口受理\n审查\n决定\n送达"


@dataclass
class Volume:
    """What the load generator needs to know about the generated data."""

    items: int = 0
    citizens: int = 0
    cases: int = 0
    seconds: float = 0.0
    item_codes: list[str] = field(default_factory=list)  # published implementation codes
    hot_codes: list[str] = field(default_factory=list)
    # citizen user id → [(public_id, case_number, phone tail)] of their submitted applications
    cases_by_owner: dict[int, list[tuple[str, str, str]]] = field(default_factory=dict)
    spare_citizens: list[int] = field(default_factory=list)  # user ids without any application
    submit_code: str = ""


def counts(scale: float) -> tuple[int, int, int]:
    return (
        max(100, round(ITEMS * scale)),
        max(200, round(CITIZENS * scale)),
        max(400, round(CASES * scale)),
    )


@contextlib.contextmanager
def _keep_given_timestamps(*models):
    """Bulk rows carry their own historic timestamps: switch auto_now(_add) off while inserting."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


def _bulk(model, rows, log, label):
    started = time.perf_counter()
    made = model.objects.bulk_create(rows, batch_size=BATCH)
    log(f"  {label}: {len(made):,} rows in {time.perf_counter() - started:.1f} s")
    return made


def generate(scale: float, log) -> Volume:
    """Generate into the (migrated, demo-loaded) database Django is set up on."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from tongban.accounts.models import CitizenProfile, User
    from tongban.applications import formlib
    from tongban.applications.models import (
        Application,
        ApplicationForm,
        StatusChange,
        TimelineEvent,
    )
    from tongban.cases.models import Case
    from tongban.catalog import codes
    from tongban.catalog.models import (
        BasicItem,
        HandlingItem,
        ItemVersion,
        Material,
        ServiceItem,
    )
    from tongban.core import pii, testdata
    from tongban.core.identifiers import IdType
    from tongban.core.models import Department
    from tongban.licences import identifier
    from tongban.licences.models import Licence, LicenceType
    from tongban.ratings.models import Rating

    started = time.perf_counter()
    n_items, n_citizens, n_cases = counts(scale)
    rng = random.Random(2026)
    now = timezone.now()
    volume = Volume()
    person_themes = list(codes.PersonTheme.values)
    enterprise_themes = list(codes.EnterpriseTheme.values)
    departments = list(Department.objects.select_related("region").order_by("pk"))
    schema, layout = formlib.standard_definition()

    # --- catalogue ------------------------------------------------------------------------------
    from catalog_search import synthetic_names

    names = synthetic_names()
    needed = max(0, n_items - ServiceItem.objects.count())
    with transaction.atomic(), _keep_given_timestamps(ItemVersion, ApplicationForm):
        basics = _bulk(
            BasicItem,
            (
                BasicItem(
                    basic_code=f"B{i:011d}",
                    name=names[i % len(names)],
                    item_type="01",
                    legal_basis="《中华人民共和国行政许可法》第十二条",
                    service_object="1",
                )
                for i in range(needed)
            ),
            log,
            "基本目录事项",
        )
        items = []
        for i, basic in enumerate(basics):
            department = departments[i % len(departments)]
            items.append(
                ServiceItem(
                    basic_item=basic,
                    department=department,
                    region_id=department.region_id,
                    exercise_level=department.level,
                    implementation_code=f"{department.uscc}{department.level}{basic.basic_code}",
                    view_count=int(rng.paretovariate(1.2) * 10),
                )
            )
        items = _bulk(ServiceItem, items, log, "实施清单事项")
        published_at = now - datetime.timedelta(days=800)
        versions = _bulk(
            ItemVersion,
            (
                ItemVersion(
                    item=item,
                    number=1,
                    status=ItemVersion.Status.PUBLISHED,
                    created_at=published_at,
                    published_at=published_at,
                    name=item.basic_item.name,
                    item_type="01",
                    legal_basis=item.basic_item.legal_basis,
                    exercise_content=f"依申请办理{item.basic_item.name}",
                    service_object="1",
                    keywords=item.basic_item.name[:4],
                    legal_limit=20,
                    promised_limit=rng.choice([1, 3, 5, 10, 15]),
                    acceptance_conditions="申请人为本市户籍或在本市居住的自然人；材料齐全、符合法定形式。",
                    process=PROCESS,
                    handling_forms="1,2",
                    result_name=f"{item.basic_item.name}结果通知",
                    person_themes=",".join(rng.sample(person_themes, 2)),
                    enterprise_themes=rng.choice(enterprise_themes),
                    is_online=True,
                    max_visits=0,
                    office_hours="周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）",
                    consult_phone="0374-12345",
                    supervision_phone="0374-12345",
                    faq=[{"q": "可以网上办理吗？", "a": "可以，全程网办，结果免费邮寄。"}],
                )
                for item in items
            ),
            log,
            "事项版本",
        )
        for item, version in zip(items, versions, strict=True):
            item.current_version = version
        ServiceItem.objects.bulk_update(items, ["current_version"], batch_size=BATCH)
        _bulk(
            HandlingItem,
            (
                HandlingItem(version=v, serial=serial, name=f"{v.name}{label}")
                for v in versions
                for serial, label in (("01", "（首次申请）"), ("02", "（变更）"))
            ),
            log,
            "业务办理项",
        )
        _bulk(
            Material,
            (
                Material(
                    version=v,
                    order=order,
                    name=name,
                    issuer=issuer,
                    original_count=1,
                    required=required,
                    notes="上传清晰的扫描件或照片",
                )
                for v in versions
                for order, (name, issuer, required) in enumerate(
                    [
                        ("申请书", "申请人", True),
                        ("申请人居民身份证", "公安机关", True),
                        ("其他证明材料", "", False),
                    ]
                )
            ),
            log,
            "申请材料",
        )
        missing_forms = ServiceItem.objects.filter(
            current_version__isnull=False, forms__isnull=True
        ).values_list("pk", flat=True)
        _bulk(
            ApplicationForm,
            (
                ApplicationForm(
                    service_item_id=pk,
                    version=1,
                    status=ApplicationForm.Status.PUBLISHED,
                    schema=schema,
                    layout=layout,
                    created_at=published_at,
                    published_at=published_at,
                )
                for pk in missing_forms
            ),
            log,
            "申请表单",
        )

    catalogue = list(
        ServiceItem.objects.filter(
            current_version__isnull=False,
            current_version__is_online=True,
            current_version__service_object__contains="1",
            forms__status=ApplicationForm.Status.PUBLISHED,
        ).values_list(
            "pk",
            "implementation_code",
            "current_version_id",
            "department_id",
            "forms__pk",
            "current_version__name",
        )
    )
    volume.item_codes = list(
        ServiceItem.objects.filter(current_version__isnull=False).values_list(
            "implementation_code", flat=True
        )
    )
    volume.hot_codes = list(
        ServiceItem.objects.filter(current_version__isnull=False)
        .order_by("-view_count")
        .values_list("implementation_code", flat=True)[:50]
    )
    volume.items = len(volume.item_codes)
    volume.submit_code = next(c for _, c, *_ in catalogue if c.endswith("B00000000000"))

    # --- citizens -------------------------------------------------------------------------------
    password = make_password(
        "Tongban2026"
    )  # one Argon2 hash for all: hashing 100k would take hours
    base_birth = datetime.date(1940, 1, 1)
    people = []
    with transaction.atomic():
        users = []
        for i in range(n_citizens):
            birth = base_birth + datetime.timedelta(days=i % 24_000)
            male = i % 2 == 0
            id_number = testdata.citizen_id("411002", birth, i // 24_000 + 1, male)
            phone = testdata.phone(1_000 + i)
            name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % 4] + SUFFIX[(i // 4) % len(SUFFIX)]
            user = User(
                login_name=f"u{i:012x}",
                kind=User.Kind.CITIZEN,
                display_name=name,
                phone=phone,
                phone_index=pii.blind_index(phone, "phone"),
                password=password,
                date_joined=now - datetime.timedelta(days=rng.randint(1, 900)),
            )
            users.append(user)
            people.append((name, id_number, phone, birth, male))
        users = _bulk(User, users, log, "自然人账户")
        _bulk(
            CitizenProfile,
            (
                CitizenProfile(
                    user=user,
                    real_name=name,
                    id_number=id_number,
                    id_index=pii.blind_index(id_number, "citizen_id"),
                    birth_date=birth,
                    gender="男" if male else "女",
                )
                for user, (name, id_number, phone, birth, male) in zip(users, people, strict=True)
            ),
            log,
            "自然人实名信息",
        )
    volume.citizens = len(users)

    # --- applications, cases and their history ---------------------------------------------------
    licence_type = (
        LicenceType.objects.filter(holder_kind=LicenceType.HolderKind.PERSON)
        .select_related("issuing_department")
        .order_by("pk")
        .first()
    )
    # Skewed popularity: a few items get most applications, as in real practice.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(catalogue))]
    picks = rng.choices(catalogue, weights=weights, k=n_cases)
    applicants = list(range(len(users)))
    rng.shuffle(applicants)
    busy = applicants[: int(len(users) * 0.8)]  # a fifth of the citizens never applied
    volume.spare_citizens = [users[i].pk for i in applicants[int(len(users) * 0.8) :]]
    serials: dict[tuple[str, datetime.date], int] = {}
    apps, plans = [], []
    for n, (item_pk, code, version_id, department_id, form_id, _item_name) in enumerate(picks):
        owner_index = busy[int(rng.paretovariate(1.5) * n) % len(busy)]
        user = users[owner_index]
        name, id_number, phone, _birth, _male = people[owner_index]
        submitted = now - datetime.timedelta(days=rng.uniform(1, 730))
        day = timezone.localdate(submitted)
        serial = serials[(code, day)] = serials.get((code, day), 0) + 1
        roll = rng.random()
        status = (
            "completed"
            if roll < 0.75
            else "accepted"
            if roll < 0.85
            else "submitted"
            if roll < 0.90
            else "approved"
            if roll < 0.94
            else "not_accepted"
            if roll < 0.97
            else "withdrawn"
        )
        if submitted > now - datetime.timedelta(days=30) and status == "completed":
            status = "accepted"
        app = Application(
            case_number=f"{code}{day:%Y%m%d}{serial:04d}",
            status=status,
            service_item_id=item_pk,
            item_version_id=version_id,
            form_id=form_id,
            data={
                "applicant_kind": "person",
                "has_agent": False,
                "applicant_name": name,
                "applicant_id_number": id_number,
                "applicant_phone": phone,
                "request_detail": "申请办理本事项，材料已按要求上传。",
                "delivery_method": "window",
            },
            current_section=2,
            owner=user,
            applicant_kind="person",
            channel=rng.choice(["pc", "pc", "mobile"]),
            created_at=submitted - datetime.timedelta(minutes=20),
            updated_at=submitted,
            submitted_at=submitted,
            received_at=submitted,
        )
        app.set_applicant_identity(
            name=name, id_type=IdType.CITIZEN_ID, id_number=id_number, phone=phone
        )
        apps.append(app)
        plans.append((status, submitted, department_id, user.pk, name, id_number))
    with (
        transaction.atomic(),
        _keep_given_timestamps(Application, StatusChange, TimelineEvent, Rating, Licence),
    ):
        apps = _bulk(Application, apps, log, "办件")
        changes, events, cases, licences, ratings = [], [], [], [], []
        flow = {
            "submitted": ["submitted"],
            "withdrawn": ["submitted", "withdrawn"],
            "not_accepted": ["submitted", "not_accepted"],
            "accepted": ["submitted", "accepted"],
            "approved": ["submitted", "accepted", "approved"],
            "completed": ["submitted", "accepted", "approved", "completed"],
        }
        labels = {
            "submitted": ("网上申报", "您的申请已提交，等待窗口工作人员受理。"),
            "withdrawn": ("申请人撤回", "撤回原因：信息填写有误，重新申请"),
            "not_accepted": ("不予受理", "申请事项不属于本机关职权范围。"),
            "accepted": ("受理", "您的申请已受理。"),
            "approved": ("审查通过", "经审查，符合法定条件。"),
            "completed": ("办结", "准予许可，结果已送达。"),
        }
        serial = licence_type.last_serial if licence_type else 0
        for app, (status, submitted, department_id, owner_id, name, id_number) in zip(
            apps, plans, strict=True
        ):
            previous, at = "draft", submitted
            for step in flow[status]:
                changes.append(
                    StatusChange(
                        application=app,
                        from_status=previous,
                        to_status=step,
                        at=at,
                        actor_id=owner_id if step in ("submitted", "withdrawn") else None,
                    )
                )
                action, opinion = labels[step]
                events.append(
                    TimelineEvent(
                        application=app,
                        at=at,
                        department_id=department_id,
                        action=action,
                        opinion=opinion,
                        actor_label="网上申报" if step == "submitted" else "",
                    )
                )
                previous, at = step, at + datetime.timedelta(days=rng.uniform(0.2, 4))
            if status in ("accepted", "approved", "completed", "not_accepted"):
                accepted = submitted + datetime.timedelta(hours=rng.uniform(2, 48))
                case = Case(
                    application=app,
                    department_id=department_id,
                    accepted_on=timezone.localdate(accepted) if status != "not_accepted" else None,
                    accepted_at=accepted if status != "not_accepted" else None,
                    legal_limit_days=20,
                    promised_limit_days=10,
                    legal_due_date=timezone.localdate(accepted + datetime.timedelta(days=28)),
                    promised_due_date=timezone.localdate(accepted + datetime.timedelta(days=14)),
                    effective_due_date=timezone.localdate(accepted + datetime.timedelta(days=14)),
                )
                if status in ("approved", "completed"):
                    case.decision, case.decided_at = "approve", at - datetime.timedelta(days=1)
                if status == "completed":
                    case.completed_at, case.completion_result = at, "0"
                    case.working_days_used = rng.randint(1, 10)
                cases.append(case)
            if status == "completed" and licence_type and rng.random() < 0.5:
                serial += 1
                issuer = licence_type.issuing_department
                licence = Licence(
                    identifier=identifier.build(licence_type.type_code, issuer.uscc, serial, 1),
                    licence_type=licence_type,
                    number=f"XC{serial:08d}",
                    serial=f"{serial:010d}",
                    issuer=issuer,
                    region_code="411000",
                    owner_id=owner_id,
                    issued_on=timezone.localdate(at),
                    valid_until=timezone.localdate(at) + datetime.timedelta(days=3 * 365),
                    application=app,
                    created_at=at,
                )
                licence.set_holder(name, IdType.CITIZEN_ID, id_number)
                licences.append(licence)
            if status == "completed" and rng.random() < 0.3:
                ratings.append(
                    Rating(
                        application=app,
                        level=rng.choices([1, 2, 3, 4, 5], weights=[70, 20, 6, 3, 1])[0],
                        channel="pc",
                        rater_id=owner_id,
                        real_name=True,
                        item_id=app.service_item_id,
                        department_id=department_id,
                        created_at=at + datetime.timedelta(days=1),
                    )
                )
            if status != "withdrawn" and status != "not_accepted":
                volume.cases_by_owner.setdefault(owner_id, []).append(
                    (str(app.public_id), app.case_number, app.data["applicant_phone"][-4:])
                )
        _bulk(StatusChange, changes, log, "状态变更")
        _bulk(TimelineEvent, events, log, "办件时间线")
        _bulk(Case, cases, log, "办件办理")
        _bulk(Licence, licences, log, "电子证照")
        _bulk(Rating, ratings, log, "评价")
        if licence_type:
            LicenceType.objects.filter(pk=licence_type.pk).update(last_serial=serial)
    volume.cases = len(apps)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    volume.seconds = time.perf_counter() - started
    return volume
