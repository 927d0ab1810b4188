"""Two staff acting on one case at the same moment produce one result: the application row is
locked (SELECT … FOR UPDATE) before the status move is checked, so the second sees the first's
result and is refused with a clear message. Real concurrency needs PostgreSQL."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tongban.applications.models import StatusChange
from tongban.applications.states import Status
from tongban.cases import actions
from tongban.cases.models import CaseDocument, ReviewStep
from tongban.testing.builders import submit_application
from tongban.testing.clock import at
from tongban.testing.factories import staff

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
D = datetime.date


@pytest.fixture(autouse=True)
def shipped_data(transactional_db):
    """What the migrations load (message templates, review processes) is flushed away after any
    earlier transactional test: put it back."""
    from tongban.notify import seed
    from tongban.notify.models import MessageTemplate
    from tongban.workflow.definitions import load_templates

    seed.load(MessageTemplate)
    load_templates()


def _race(*moves):
    """Run the moves in threads released together; return each one's error (None: it worked)."""
    barrier = threading.Barrier(len(moves))
    errors = [None] * len(moves)

    def run(index, move):
        try:
            barrier.wait()
            move()
        except (ValidationError, PermissionDenied) as exc:  # bad input, a refused move
            errors[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, m)) for i, m in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_accept_and_refuse_at_once_give_one_decision(citizen, team, promise_item, department):
    second_clerk = staff(department, "clerk2", "window_clerk")
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        errors = _race(
            lambda: actions.accept(application=application, actor=team["clerk"]),
            lambda: actions.refuse(
                application=application,
                actor=second_clerk,
                reason="不属于本机关职权范围",
                legal_basis="《中华人民共和国行政许可法》第三十二条第一款第二项",
                refer_to="许昌市市场监督管理局",
            ),
        )
    assert sum(e is None for e in errors) == 1, errors
    refused = next(e for e in errors if e is not None)
    assert "当前状态" in str(refused)
    application.refresh_from_db()
    assert application.status in (Status.ACCEPTED, Status.NOT_ACCEPTED)
    moves = StatusChange.objects.filter(application=application, from_status=Status.SUBMITTED)
    assert moves.count() == 1 and moves.get().to_status == application.status
    assert CaseDocument.objects.filter(case__application=application).count() == 1


def test_two_handlers_completing_the_same_step_record_it_once(
    citizen, team, promise_item, department
):
    second_handler = staff(department, "handler2", "handler")
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=team["clerk"])
        step = ReviewStep.objects.get(case__application=application, finished_at=None)
        errors = _race(
            *(
                lambda who=who: actions.complete_step(
                    application=application,
                    actor=who,
                    step_id=step.pk,
                    action="approve",
                    opinion=f"{who.display_name}：同意",
                )
                for who in (team["handler"], second_handler)
            )
        )
    assert sum(e is None for e in errors) == 1, errors
    assert "已被他人处理" in str(next(e for e in errors if e is not None))
    step.refresh_from_db()
    assert step.finished_at is not None
    steps = ReviewStep.objects.filter(case__application=application)
    assert list(steps.values_list("name", flat=True)) == ["承办", "审核"]  # advanced exactly once
