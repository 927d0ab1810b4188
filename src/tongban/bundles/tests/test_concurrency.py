"""Two submissions of one bundle by one applicant at the same moment (two devices, two keys) give
one bundle application: the applicant's row is locked before the open application is looked for,
so the second waits, finds the first and is refused. Real concurrency needs PostgreSQL."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tongban.applications.models import Application
from tongban.bundles.models import BundleApplication, MemberApplication
from tongban.bundles.tests.test_journeys import submit_newborn

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def shipped_data(transactional_db):
    """What the migrations load (message templates, review processes) is flushed away after any
    earlier transactional test: put it back."""
    from tongban.notify import seed
    from tongban.notify.models import MessageTemplate
    from tongban.workflow.definitions import load_templates

    seed.load(MessageTemplate)
    load_templates()


def test_two_submissions_at_once_make_one_bundle(newborn, parent):
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def submit(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = submit_newborn(newborn, parent, key=f"device-{index}")
        except ValidationError as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [o for o in outcomes if isinstance(o, BundleApplication)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, outcomes
    assert "正在办理中，请勿重复申请" in " ".join(refused[0].messages)
    assert BundleApplication.objects.count() == 1
    members = MemberApplication.objects.filter(bundle_application=made[0]).count()
    assert MemberApplication.objects.count() == members
    assert Application.objects.filter(owner=parent).count() == members
