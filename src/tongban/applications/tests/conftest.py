"""Intake fixtures: a published catalogue item with a form and two required materials (files to
upload are made by tongban.testing.factories)."""

import pytest

from tongban.accounts import actions as accounts
from tongban.catalog import actions as catalog
from tongban.testing.catalog import complete_item
from tongban.testing.factories import PASSWORD


@pytest.fixture
def published_item(department):
    admin = accounts.create_staff(
        actor=None,
        login_name="catadmin",
        display_name="事项管理员",
        department=department,
        roles=["catalogue_admin"],
        password=PASSWORD,
    )
    item, draft = complete_item(department, code="010101001000", name="高龄津贴申领", materials=2)
    catalog.publish(actor=admin, version=draft)
    item.refresh_from_db()
    return item


@pytest.fixture
def catalogue_admin_user(department):
    from tongban.accounts.models import User

    return User.objects.get(login_name="catadmin")


@pytest.fixture
def receipt_seal(department):
    """The department's seal: a receipt is a sealed, signed voucher (行政许可法 art. 32)."""
    from tongban.seals import actions as seals

    return seals.create_seal(None, department, f"{department.name}业务专用章", "business")


@pytest.fixture
def item_with_questions(department, published_item):
    """An item whose applicants answer one 情形引导 question (two options, one adds a material)."""
    from tongban.accounts.models import User
    from tongban.catalog.actions import MaterialSpec
    from tongban.testing.catalog import complete_item

    admin = User.objects.get(login_name="catadmin")
    item, draft = complete_item(department, code="010101002000", name="临时救助申请", materials=1)
    catalog.set_structure(
        actor=admin,
        version=draft,
        handling_items=[],
        materials=[MaterialSpec("身份证", "公安机关", 1, 0), MaterialSpec("残疾证", "残联", 1, 0)],
        questions=[
            {
                "text": "申请人是否持有残疾证？",
                "options": [{"text": "是", "materials": ["残疾证"]}, {"text": "否"}],
            }
        ],
    )
    catalog.publish(actor=admin, version=draft)
    item.refresh_from_db()
    return item
