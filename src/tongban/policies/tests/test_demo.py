from decimal import Decimal

from tongban.accounts import demo as accounts_demo
from tongban.accounts.models import CitizenProfile, EnterpriseProfile
from tongban.policies.actions import matching, offers
from tongban.policies.models import Match, MatchRun, Policy


def test_elderly_citizen_gets_the_allowance_without_applying(demo_city):
    elder = CitizenProfile.objects.get(real_name="张示例")
    match = Match.objects.get(policy__code="MZ-GLJT", subject_index=elder.id_index)
    assert match.eligible and match.status == Match.Status.AUTOMATIC
    assert match.amount == Decimal("100.00")  # born 1942: 80–89 band
    reason = offers.reason_text(match.explanation)
    assert "年满80周岁" in reason and "年龄（周岁）" in reason and "80至89周岁" in reason
    assert match.data_hash
    assert elder.user.notifications.filter(template_code="policy.granted").exists()


def test_demo_enterprise_matched_to_one_policy_and_told_why_not_the_other(demo_city):
    enterprise = EnterpriseProfile.objects.get(name=accounts_demo.ENTERPRISE[0])
    mine = {m.policy.code: m for m in offers.matches_for(enterprise.user)}
    assert set(mine) == {"RS-WGFH"}
    assert mine["RS-WGFH"].amount == Decimal("24000.00")  # 48 insured × 500
    assert mine["RS-WGFH"].status == Match.Status.OFFERED
    _target, index = offers.subject_index_of(enterprise.user)
    why = matching.why_not(Policy.objects.get(code="RS-KGBZ"), index)
    assert why["eligible"] is False
    assert offers.blocking_text(why) == "不符合“本年度新增参保职工至少1人”（本年新增参保人数：0）"


def test_demo_is_idempotent(demo_city):
    from tongban.policies import demo

    counts = (Policy.objects.count(), Match.objects.count(), MatchRun.objects.count())
    demo.load(lambda _line: None)
    assert (Policy.objects.count(), Match.objects.count(), MatchRun.objects.count()) == counts


def test_the_reasons_read_in_english_around_the_policys_own_words(demo_city):
    from django.utils import translation

    elder = CitizenProfile.objects.get(real_name="张示例")
    match = Match.objects.get(policy__code="MZ-GLJT", subject_index=elder.id_index)
    enterprise = EnterpriseProfile.objects.get(name=accounts_demo.ENTERPRISE[0])
    _target, index = offers.subject_index_of(enterprise.user)
    why = matching.why_not(Policy.objects.get(code="RS-KGBZ"), index)
    with translation.override("en"):
        reason = offers.reason_text(match.explanation)
        blocking = offers.blocking_text(why)
    assert reason.startswith("You qualify: 年满80周岁 (年龄（周岁）: ")
    assert reason.endswith("). Paid at the “80至89周岁” rate.") and "您符合" not in reason
    assert blocking == "Does not meet “本年度新增参保职工至少1人” (本年新增参保人数: 0)"


def test_a_refusal_of_the_service_layer_reads_in_english(demo_city):
    import pytest
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from tongban.policies.actions import lifecycle

    policy = Policy.objects.get(code="MZ-GLJT")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        lifecycle.suspend(actor=None, policy=policy, reason=" ")
    assert refused.value.message_dict == {"reason": ["Please give the reason for suspending"]}
