"""Issue 31: the enterprise's 经办人 authorisation chooses items by name from a list the page can
filter (nobody types an item "编码"), and nothing is authorised unless chosen: the form does not
default to 授权全部事项."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tongban.accounts import actions as accounts
from tongban.accounts.models import AgentAuthorisation
from tongban.catalog import actions as catalog
from tongban.core import testdata
from tongban.testing.catalog import basic_item, complete_item
from tongban.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

AGENT_ID = testdata.citizen_id(birth=datetime.date(1990, 1, 2), sequence=7)  # `second_citizen`


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def items(department):
    """Two published items for enterprises, one for private persons only, one never published."""
    admin = accounts.create_staff(
        actor=None,
        login_name="catadmin",
        display_name="事项管理员",
        department=department,
        roles=["catalogue_admin"],
        password=PASSWORD,
    )
    published = {}
    for code, name, served in (
        ("010101001000", "食品经营许可", "2"),
        ("010101002000", "公共场所卫生许可", "1,2"),
        ("010101003000", "高龄津贴申领", "1"),
    ):
        basic_item(code, name, service_object=served)
        item, draft = complete_item(department, code=code, name=name)
        catalog.publish(actor=admin, version=draft)
        published[name] = item
    basic_item("010101004000", "未发布的事项", service_object="2")
    return published


def _post(client, **data):
    return client.post(
        reverse("accounts:agents"),
        {
            "agent_name": "示例经办",
            "agent_id_number": AGENT_ID,
            "valid_until": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
            **data,
        },
        follow=True,
    )


def test_the_form_lists_items_by_name_and_authorises_nothing_by_default(
    client, enterprise, second_citizen, items
):
    client.force_login(enterprise)
    html = client.get(reverse("accounts:agents")).content.decode()
    assert "授权事项编码" not in html and "多个编码用逗号分隔" not in html
    assert 'data-filter-list="item-picker-list"' in html  # the list can be searched by name
    assert "食品经营许可" in html and "公共场所卫生许可" in html
    assert "高龄津贴申领" not in html  # only private persons apply for it
    assert "未发布的事项" not in html
    assert 'name="item_codes" value="010101001000"' in html  # a tick box, not a text box
    assert 'type="checkbox" name="all_items"' in html
    assert 'name="all_items" id="id_all_items" checked' not in html  # not ticked by default
    assert "checked" not in html.split('id="item-picker-list"')[1].split("</fieldset>")[0]

    # Sending the form as it came (nothing chosen) authorises nothing and says what to do.
    page = _post(client).content.decode()
    assert "请选择授权办理的事项，或选择全部事项" in page
    assert not AgentAuthorisation.objects.exists()


def test_chosen_items_are_authorised_and_listed_by_name(client, enterprise, second_citizen, items):
    client.force_login(enterprise)
    page = _post(client, item_codes=["010101001000"]).content.decode()
    assert "授权成功。" in page
    authorisation = AgentAuthorisation.objects.get(agent=second_citizen)
    assert (authorisation.all_items, authorisation.item_codes) == (False, ["010101001000"])
    assert authorisation.covers("010101001000") and not authorisation.covers("010101002000")
    records = page.split('id="agent-list-title"')[1]
    assert "食品经营许可" in records and "010101001000" not in records


def test_an_item_not_on_the_list_is_refused_clearly(client, enterprise, second_citizen, items):
    client.force_login(enterprise)
    for code in ("010101003000", "010101004000", "999"):
        page = _post(client, item_codes=[code]).content.decode()
        assert "所选事项不存在或已停用，请重新选择" in page
    assert not AgentAuthorisation.objects.exists()
    # the person's other answers are kept on the page
    assert 'value="示例经办"' in page
