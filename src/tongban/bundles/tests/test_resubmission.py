"""Applying again for a bundle while the first application is open — its members in review, or one
of them under 补正 — is refused with a clear message, on the one-form page and through the API: no
member is created twice, and nothing is lost (the open application, its correction still waiting
to be answered in place, and on the page the values just typed)."""

import pytest

from tongban.applications.models import Application
from tongban.bundles.actions import correcting, window
from tongban.bundles.models import BundleApplication, MemberApplication
from tongban.bundles.tests.conftest import pdf, staff
from tongban.bundles.tests.test_api import _submit, client_for
from tongban.bundles.tests.test_journeys import NEWBORN_VALUES, member, submit_newborn
from tongban.cases import actions as cases

pytestmark = pytest.mark.django_db


def counts(parent) -> tuple[int, int, int]:
    return (
        BundleApplication.objects.count(),
        MemberApplication.objects.count(),
        Application.objects.filter(owner=parent).count(),
    )


def post_the_form(client, newborn, key: str, **values):
    """The one-form page posted again, as from another tab (a new submission key)."""
    question = newborn.questions.get()
    query = f"q{question.pk}={question.options.get(position=0).pk}"
    form = client.get(f"/bundles/newborn/apply/?{query}")
    post = {**NEWBORN_VALUES, **values, "submission_key": key, "licence_consent": "1"}
    post.update({f"file_{m.key}": pdf() for m in form.context["prepared"].asked_materials})
    return client.post(f"/bundles/newborn/apply/?{query}", post)


def put_in_review(bundle, capture):
    with capture(execute=True):
        window.accept_all(bundle=bundle, actor=staff("yjsclerk"))
    bundle.refresh_from_db()
    assert bundle.status == "handling"


def ask_for_correction(bundle, capture):
    with capture(execute=True):
        cases.request_correction(
            application=member(bundle, "出生医学证明"),
            actor=staff("yjsclerk"),
            items=["出生医学证明首次签发登记表缺少签字"],
        )
    bundle.refresh_from_db()
    assert bundle.status == "correction"


def test_the_page_refuses_a_second_bundle_while_the_first_is_in_review(
    newborn, parent, client, django_capture_on_commit_callbacks
):
    bundle = submit_newborn(newborn, parent)
    put_in_review(bundle, django_capture_on_commit_callbacks)
    before = counts(parent)
    client.force_login(parent)
    again = post_the_form(client, newborn, "another-tab", baby_name="李小圆")
    page = again.content.decode()
    assert again.status_code == 400
    assert f"您已申请“新生儿出生一件事”（编号 {bundle.number}），正在办理中，请勿重复申请。" in page
    assert 'value="李小圆"' in page  # what was typed is shown again, not lost
    assert counts(parent) == before
    bundle.refresh_from_db()
    assert bundle.status == "handling"
    assert member(bundle, "出生医学证明").data["baby_name"] == "李小满"


def test_the_page_refuses_a_second_bundle_while_a_member_is_under_correction(
    newborn, parent, client, django_capture_on_commit_callbacks
):
    bundle = submit_newborn(newborn, parent)
    ask_for_correction(bundle, django_capture_on_commit_callbacks)
    before = counts(parent)
    client.force_login(parent)
    again = post_the_form(client, newborn, "another-tab")
    page = again.content.decode()
    assert again.status_code == 400
    assert (
        f"您的“新生儿出生一件事”（编号 {bundle.number}）有事项正在补正，请在原申请中补正后" in page
    )
    assert counts(parent) == before
    # The correction still waits, answered in place; the members stay the same ones.
    [waiting] = correcting.under_correction(bundle)
    assert waiting["application"].case_number == member(bundle, "出生医学证明").case_number
    form = next(m for m in waiting["materials"] if "登记表" in m.name)
    with django_capture_on_commit_callbacks(execute=True):
        numbers = correcting.correct(bundle=bundle, actor=parent, files={form.pk: [pdf()]})
    assert numbers == [waiting["application"].case_number]
    assert counts(parent) == before


def test_the_api_refuses_a_second_bundle_under_correction_and_in_review(
    newborn, parent, django_capture_on_commit_callbacks
):
    client = client_for(parent)
    first = _submit(client, newborn, key="api-1")
    assert first.status_code == 201, first.json()
    bundle = BundleApplication.objects.get(public_id=first.json()["public_id"])
    ask_for_correction(bundle, django_capture_on_commit_callbacks)
    before = counts(parent)

    corrected = _submit(client, newborn, key="api-2")
    assert corrected.status_code == 400
    assert "有事项正在补正，请在原申请中补正后重新提交" in str(corrected.json()["errors"])
    retry = _submit(client, newborn, key="api-1")  # a retry of the first is no second bundle
    assert retry.status_code == 200 and retry.json()["public_id"] == first.json()["public_id"]
    assert counts(parent) == before
    open_one = client.get(f"/api/v1/bundles/mine/{bundle.public_id}/correction/").json()
    assert open_one["open"] is True and [m["name"] for m in open_one["members"]] == ["出生医学证明"]

    # Corrected in place, then in review: applying again is still refused, nothing created.
    form = next(m for m in open_one["members"][0]["materials"] if "登记表" in m["name"])
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/api/v1/bundles/mine/{bundle.public_id}/correction/",
            {f"material_{form['id']}": pdf()},
            format="multipart",
        )
    assert done.status_code == 200 and done.json()["resubmitted"]
    put_in_review(bundle, django_capture_on_commit_callbacks)
    in_review = _submit(client, newborn, key="api-3")
    assert in_review.status_code == 400
    assert "正在办理中，请勿重复申请" in str(in_review.json()["errors"])
    assert counts(parent) == before
