"""Steps several journeys share: files to upload, workbench actions, staff and cases set up through
the service layer where a step is not what the journey is about."""

import datetime
import io
import zoneinfo
from concurrent.futures import ThreadPoolExecutor

import time_machine
from pypdf import PdfWriter

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
SIZES = ["pc", "phone"]


def off_loop(function, /, *args, **kwargs):
    """Run a service-layer call in a fresh thread. Playwright's sync API keeps an asyncio loop
    running in the test's thread, and pyHanko (sealing documents) needs to start its own."""

    def call():
        from django.db import connection

        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def on(day: datetime.date | str, hour: int = 10):
    """Server time travel to a day (Beijing time); the clock keeps ticking."""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=BEIJING)
    return time_machine.travel(moment, tick=True)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_file(tmp_path, name: str = "材料.pdf"):
    path = tmp_path / name
    path.write_bytes(pdf_bytes())
    return path


def follow(j, locator) -> None:
    """Click something that loads a new page and wait for that page (not the one clicked on)."""
    with j.page.expect_navigation():
        locator.click()
    j.page.wait_for_load_state()


def choose_file(j, where, path) -> None:
    """Choose a file with a material's upload control (in `where`, a row or the page): the control
    uploads it at once and the page comes back to the same row."""
    with j.page.expect_navigation():
        where.locator("input[type=file]").first.set_input_files(str(path))
    j.page.wait_for_load_state()


def upload_missing(j, tmp_path) -> None:
    """Upload a PDF for every material on the page not yet uploaded or replaced by a licence."""
    page, real = j.page, pdf_file(tmp_path)
    rows = page.locator(".checklist > li")
    for index in range(rows.count()):
        row = rows.nth(index)
        head = row.locator(".checklist__head").inner_text()
        if "已上传" in head or not row.locator("form.upload-row").count():
            continue
        choose_file(j, row, real)
    j.shot("materials-uploaded")


def submit(j) -> None:
    follow(j, j.page.locator("form[data-submit-once] button[type=submit]").first)


def move(j, summary: str, fields: dict, button: str) -> None:
    """Open a workbench action (a <details> by its summary), fill it in and submit it."""
    details = j.page.locator("details", has=j.page.locator("summary", has_text=summary)).first
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for name, value in fields.items():
        control = details.locator(f"[name={name}]")
        if control.first.get_attribute("type") == "radio":
            details.locator(f"[name={name}][value={value}]").check()
        elif control.first.get_attribute("type") == "checkbox":  # a final act's confirmation
            control.first.check()
        elif control.first.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    follow(j, details.locator("button", has_text=button))


def staff(department_key: str, people: dict[str, list[str]]) -> None:
    """Staff of a department the demo has none for, made as an administrator would."""
    from tongban.accounts import actions as accounts
    from tongban.core import demo as core_demo

    department = core_demo.department(department_key)
    for login, roles in people.items():
        accounts.create_staff(
            actor=None,
            login_name=login,
            display_name=f"{department.short_name}{login}",
            department=department,
            roles=roles,
            password="Tongban2026",
        )


def review_and_approve(application, people=("handler", "reviewer", "approver")) -> None:
    """承办 → 审核 → 批准 through cases.actions: what the reviewers decide is not this journey."""
    off_loop(_review_and_approve, application, people)
    application.refresh_from_db()


def _review_and_approve(application, people) -> None:
    from tongban.accounts.models import User
    from tongban.cases import actions as cases

    for login in people:
        application.refresh_from_db()
        step = application.case.steps.get(finished_at=None)
        cases.complete_step(
            application=application,
            actor=User.objects.get(login_name=login),
            step_id=step.pk,
            action="approve",
            opinion="符合条件，同意",
        )
    application.refresh_from_db()


def elderly_citizen_application(channel: str = "pc"):
    """张示例's 高龄津贴 application, filled in and submitted through the service layer."""
    return off_loop(_elderly_citizen_application, channel)


def elderly_citizen_draft(channel: str = "mobile"):
    """张示例's 高龄津贴 draft (first application, in person), started through the service layer."""
    return off_loop(_elderly_citizen_draft, channel)


def _elderly_citizen_draft(channel):
    from tongban.accounts.models import User
    from tongban.applications import actions as intake
    from tongban.catalog.models import ServiceItem

    item = ServiceItem.objects.get(
        basic_item__name="高龄津贴申领", department__short_name="市民政局"
    )
    version = item.current_version
    first = version.questions.get(text__startswith="是否首次").options.get(text__startswith="是")
    self_ = version.questions.get(text__startswith="是否委托").options.get(text__startswith="否")
    return intake.start_application(
        owner=User.objects.get(citizen__real_name="张示例"),
        service_item=item,
        channel=channel,
        answers={first.question_id: first.pk, self_.question_id: self_.pk},
    )


def _elderly_citizen_application(channel):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.applications import actions as intake

    application = _elderly_citizen_draft(channel)
    citizen = application.owner
    intake.save_section(
        application=application,
        actor=citizen,
        section=1,
        raw={
            "household_region": "魏都区",
            "guardian_name": "张小示",
            "guardian_phone": "17000000009",
            "bank_name": "中国银行",
            "bank_account": "6217000000000000001",
        },
    )
    intake.save_section(
        application=application, actor=citizen, section=2, raw={"delivery_method": "window"}
    )
    for material in intake.required_materials(application):
        intake.attach_file(
            application=application,
            actor=citizen,
            material_id=material.pk,
            uploaded=SimpleUploadedFile("材料.pdf", pdf_bytes()),
        )
    return intake.submit(application=application, actor=citizen)


def accept(application, login: str = "clerk") -> None:
    from tongban.accounts.models import User
    from tongban.cases import actions as cases

    off_loop(cases.accept, application=application, actor=User.objects.get(login_name=login))
    application.refresh_from_db()


def complete(application, login: str = "clerk") -> None:
    from tongban.accounts.models import User
    from tongban.cases import actions as cases

    off_loop(cases.complete, application=application, actor=User.objects.get(login_name=login))
    application.refresh_from_db()
