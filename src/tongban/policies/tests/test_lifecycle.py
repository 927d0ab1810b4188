import copy
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tongban.accounts.models import User
from tongban.core import audit
from tongban.policies import demo
from tongban.policies.actions import lifecycle
from tongban.policies.models import Match, Policy, PolicyEvent

AS_OF = datetime.date(2026, 12, 1)


def _spec(code="MZ-GLJT"):
    return copy.deepcopy(next(p for p in demo.POLICIES if p["code"] == code))


def _draft(department, code="T-1", **changes):
    spec = _spec()
    spec.update(changes)
    fields = {k: v for k, v in spec.items() if k not in ("code", "department", "target")}
    return lifecycle.create_policy(
        actor=None,
        department=department,
        code=code,
        target=spec["target"],
        valid_from=datetime.date(2026, 1, 1),
        **fields,
    )


def test_a_rule_that_does_not_validate_is_refused(demo_city):
    from tongban.core import demo as core_demo

    bad_rule = {
        "root": {
            "all": [
                {
                    "clause": "x",
                    "label": "未知数据",
                    "test": {"op": "ge", "args": [{"var": "person.income"}, 1]},
                }
            ]
        }
    }
    with pytest.raises(ValidationError) as refused:
        _draft(core_demo.department("mz"), eligibility=bad_rule)
    assert "未知的数据项“person.income”" in str(refused.value)
    # An enterprise element cannot be read by a policy for people either.
    wrong_target = {
        "root": {
            "all": [
                {
                    "clause": "x",
                    "label": "参保",
                    "test": {"op": "ge", "args": [{"var": "insurance.headcount"}, 1]},
                }
            ]
        }
    }
    with pytest.raises(ValidationError):
        _draft(core_demo.department("mz"), eligibility=wrong_target)


def test_a_formula_that_does_not_validate_is_refused(demo_city):
    from tongban.core import demo as core_demo

    for formula, message in [
        ({"bands": []}, "至少需要一档金额"),
        ({"bands": [{"clause": "a", "label": "负数", "test": True, "amount": -5}]}, "不能为负数"),
        ({"bands": [{"clause": "a", "label": "文本", "test": True, "amount": "100"}]}, "应为数值"),
        (
            {
                "bands": [
                    {
                        "clause": "a",
                        "label": "x",
                        "test": {"op": "ge", "args": [{"var": "person.birth_date"}, 1]},
                        "amount": 1,
                    }
                ]
            },
            "类型不同",
        ),
    ]:
        with pytest.raises(ValidationError) as refused:
            _draft(core_demo.department("mz"), amount_formula=formula)
        assert message in str(refused.value), formula


def test_a_suspended_policy_edited_into_an_invalid_rule_cannot_be_saved(demo_city):
    policy = Policy.objects.get(code="MZ-GLJT")
    lifecycle.suspend(actor=None, policy=policy, reason="调整标准")
    policy.refresh_from_db()
    with pytest.raises(ValidationError):
        lifecycle.update_policy(actor=None, policy=policy, amount_formula={"bands": "x"})
    policy.refresh_from_db()
    assert policy.amount_formula == _spec()["amount_formula"]


def test_transitions_outside_the_table_are_refused(demo_city):
    from tongban.core import demo as core_demo

    draft = _draft(core_demo.department("mz"))
    with pytest.raises(ValidationError):
        lifecycle.suspend(actor=None, policy=draft, reason="x")
    published = Policy.objects.get(code="MZ-GLJT")
    with pytest.raises(ValidationError):
        lifecycle.update_policy(actor=None, policy=published, name="改名")
    lifecycle.expire(actor=None, policy=published)
    published.refresh_from_db()
    with pytest.raises(ValidationError):
        lifecycle.publish(actor=None, policy=published, match=False)
    moves = list(PolicyEvent.objects.filter(policy=published).values_list("to_status", flat=True))
    assert moves[-2:] == ["published", "expired"]


def test_only_the_departments_catalogue_admin_writes_policies(demo_city):
    clerk = User.objects.get(login_name="clerk")
    with pytest.raises(PermissionDenied):
        lifecycle.suspend(actor=clerk, policy=Policy.objects.get(code="MZ-GLJT"), reason="x")


def test_dry_run_counts_by_region_and_amount_and_compares_with_the_published_version(demo_city):
    policy = Policy.objects.get(code="MZ-GLJT")
    lifecycle.suspend(actor=None, policy=policy, reason="提高标准")
    formula = _spec()["amount_formula"]
    formula["bands"][2]["amount"] = 150  # 80–89: 100 → 150
    formula["bands"][1]["test"]["args"][1] = 85  # 85–99 now in the 200 band
    lifecycle.update_policy(actor=None, policy=policy, amount_formula=formula)
    policy.refresh_from_db()
    result = lifecycle.dry_run(policy, as_of=AS_OF)
    assert result["eligible"] == Match.objects.filter(policy=policy, eligible=True).count()
    assert sum(result["by_region"].values()) == result["eligible"]
    assert sum(result["by_amount"].values()) == result["eligible"]
    assert set(result["by_amount"]) <= {"150", "200", "500"}
    against = result["against"]
    assert against["version"] == 1
    assert against["newly_eligible"] == 0 and against["no_longer_eligible"] == 0
    assert against["amount_changed"] >= 1  # at least 张示例 (84): 100 → 150


def test_publishing_again_freezes_a_new_version_and_audits(demo_city):
    policy = Policy.objects.get(code="MZ-GLJT")
    lifecycle.suspend(actor=None, policy=policy, reason="调整")
    version = lifecycle.publish(actor=None, policy=policy, match=False)
    assert version.number == 2 and version.dry_run["eligible"] >= 1
    assert audit.AuditRecord.objects.filter(action="policies.policy.publish").count() >= 5
