import datetime

import pytest
from django.utils import timezone

from tongban.core import pii
from tongban.exchange.actions import access, query
from tongban.exchange.actions.errors import ExchangeDenied
from tongban.exchange.models import CallRecord, Grant

from .conftest import PEOPLE, person_id

ELDER = person_id(PEOPLE[0][1], PEOPLE[0][2])


def ask(consumer, **kwargs):
    params = {
        "consumer": consumer,
        "resource_code": "T_RK",
        "subjects": [ELDER],
        "items": ["xm", "csrq"],
        "purpose": "出生医学证明签发核验",
        "case_ref": "CASE-1",
    }
    params.update(kwargs)
    return query.query(**params)


def refused(consumer, **kwargs) -> ExchangeDenied:
    with pytest.raises(ExchangeDenied) as caught:
        ask(consumer, **kwargs)
    return caught.value


def test_granted_call_answers_only_the_granted_items_and_is_logged(granted, consumer):
    result = ask(consumer)
    assert result.records == {ELDER: {"xm": "示例甲", "csrq": "1940-05-06"}}
    assert result.provider_label == "公安人口库"
    entry = CallRecord.objects.filter(kind="query").get()
    assert entry.outcome == CallRecord.Outcome.ANSWERED
    assert entry.subject_index == pii.blind_index(ELDER, "citizen_id")
    assert (entry.consumer_code, entry.resource_code, entry.items) == ("wj.sys", "T_RK", "xm,csrq")
    assert (entry.purpose, entry.case_ref, entry.rows) == ("出生医学证明签发核验", "CASE-1", 1)
    # metadata only: neither the number nor the answer is in the log
    flat = " ".join(str(v) for v in CallRecord.objects.filter(kind="query").values().get().values())
    assert ELDER not in flat and "示例甲" not in flat


def test_without_items_the_granted_items_are_answered(granted, consumer):
    assert ask(consumer, items=[]).records[ELDER] == {"xm": "示例甲", "csrq": "1940-05-06"}


def test_unknown_subject_is_logged_as_not_found(granted, consumer):
    stranger = person_id(datetime.date(1970, 1, 1), 99)
    assert ask(consumer, subjects=[stranger]).records == {stranger: None}
    assert CallRecord.objects.filter(kind="query").get().outcome == CallRecord.Outcome.NOT_FOUND


@pytest.mark.parametrize(
    ("kwargs", "code", "status"),
    [
        ({"resource_code": "NOPE"}, "unknown_resource", 404),
        ({"items": ["xm", "xb"]}, "item_not_granted", 403),
        ({"items": ["shoe_size"]}, "unknown_item", 400),
        ({"purpose": " "}, "missing_purpose", 400),
        ({"subjects": ["411002194005060011"]}, "malformed_subject", 400),
        ({"subjects": []}, "missing_subject", 400),
    ],
)
def test_bad_calls_are_refused_with_a_chinese_reason_and_logged(
    granted, consumer, kwargs, code, status
):
    denial = refused(consumer, **kwargs)
    assert (denial.code, denial.status) == (code, status)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in denial.message)
    entry = CallRecord.objects.filter(kind="query").get()
    assert entry.outcome == CallRecord.Outcome.DENIED and entry.reason == denial.message


def test_oversized_batch_is_refused(granted, consumer, settings):
    settings.EXCHANGE_MAX_BATCH = 2
    denial = refused(consumer, subjects=[person_id(b, s) for _n, b, s in PEOPLE])
    assert (denial.code, denial.status) == ("batch_too_large", 413)


def test_consumer_without_grant_is_refused(population, consumer):
    assert refused(consumer).code == "not_granted"
    assert CallRecord.objects.filter(kind="query").get().outcome == CallRecord.Outcome.DENIED


def test_expired_grant_is_refused(granted, consumer):
    Grant.objects.filter(pk=granted.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert refused(consumer).code == "grant_expired"


def test_revoked_grant_is_refused(granted, consumer):
    access.revoke_grant(actor=None, grant=granted, reason="用途已结束")
    assert refused(consumer).code == "grant_revoked"


def test_rate_limit_per_consumer(granted, consumer):
    consumer.rate_limit_per_minute = 2
    consumer.save()
    ask(consumer)
    ask(consumer)
    denial = refused(consumer)
    assert (denial.code, denial.status) == ("rate_limited", 429)


def test_withdrawn_resource_is_refused(granted, consumer, population):
    from tongban.exchange.actions import catalogue

    catalogue.withdraw(actor=None, version=population.current_version, reason="停止共享")
    assert refused(consumer).code == "resource_withdrawn"


def test_a_national_case_number_is_logged_whole(granted, consumer):
    from tongban.applications.numbering import next_case_number

    case_number = next_case_number("1141100000577264X44410400200003", datetime.date(2026, 12, 4))
    assert len(case_number) == 43
    ask(consumer, case_ref=case_number)
    entry = CallRecord.objects.filter(kind="query").get()
    entry.refresh_from_db()
    assert entry.case_ref == case_number


def test_an_overlong_case_reference_is_refused_not_cut(granted, consumer):
    denial = refused(consumer, case_ref="1" * 65)
    assert (denial.code, denial.status) == ("malformed_case", 400)
    assert "办件编号过长" in denial.message


def test_a_revocation_in_this_process_takes_effect_at_the_next_call(granted, consumer):
    assert ask(consumer).found  # the grant is now cached
    access.revoke_grant(actor=None, grant=granted, reason="用途已结束")
    assert refused(consumer).code == "grant_revoked"


def test_an_expiry_takes_effect_on_the_day_even_while_the_grant_is_cached(
    granted, consumer, time_machine
):
    assert ask(consumer).found
    time_machine.move_to(timezone.now() + datetime.timedelta(days=400), tick=False)
    assert refused(consumer).code == "grant_expired"


def test_an_approval_takes_effect_at_once_refusals_are_never_cached(population, consumer):
    assert refused(consumer).code == "not_granted"
    request = access.request_access(
        actor=None,
        consumer=consumer,
        resource=population,
        items=["xm", "csrq"],
        purpose="出生医学证明签发核验",
        legal_basis="《母婴保健法》",
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    access.approve(actor=None, request=request)
    assert ask(consumer).found


def test_a_large_rate_limit_is_counted_in_batches_but_still_holds(granted, consumer):
    from tongban.exchange import ratelimit

    consumer.rate_limit_per_minute = 400  # counted two calls at a time
    consumer.save()
    assert ratelimit.batch_for(400) == 2
    answered = 0
    for _ in range(402):
        try:
            ask(consumer)
            answered += 1
        except ExchangeDenied as denial:
            assert denial.code == "rate_limited"
    assert answered == 400
