"""好差评 listens to case handling through domain events, not through an import of cases."""

from tongban.applications.events import ApplicationSubmitted
from tongban.cases.events import CaseAccepted, CaseCompleted
from tongban.ratings.tests.conftest import complete_case


def test_completing_a_case_invites_a_rating(citizen, team, promise_item, captured_events):
    application = complete_case(citizen, team, promise_item)

    [completed] = captured_events.of(CaseCompleted)
    assert completed.application_id == application.pk
    assert completed.case_number == application.case_number
    assert completed.result == application.case.completion_result
    # Ratings' handler runs in the transaction (other domains may listen too: bundles follow it).
    assert "tongban.ratings.handlers.invite_to_rate" in captured_events.handlers_run(CaseCompleted)
    assert application.rating_invitations.count() == 1


def test_the_case_publishes_its_steps_in_order(citizen, team, promise_item, captured_events):
    complete_case(citizen, team, promise_item)
    names = captured_events.names()
    assert names.index("application.submitted") < names.index("case.accepted")
    assert names.index("case.accepted") < names.index("case.completed")
    [submitted] = captured_events.of(ApplicationSubmitted)
    assert submitted.department_id == promise_item.department_id
    [accepted] = captured_events.of(CaseAccepted)
    assert accepted.deemed is False
