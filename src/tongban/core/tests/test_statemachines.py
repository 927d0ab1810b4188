"""Every declared status machine, walked exhaustively (as Signalen's workflow tests do): for every
(from, to) pair of its states, every move name and every kind of actor, `transition()` lets
exactly the moves of the declared table through and refuses the others with a Chinese message,
leaving the record as it was. And no stateful model is left without a declared machine."""

import itertools

import pytest
from django.apps import apps
from django.db import models

from tongban.core import statemachine
from tongban.core.models import AuditRecord
from tongban.core.statemachine import IllegalTransition, Machine, transition

MACHINES = statemachine.machines()
OUTSIDER = "someone_else"

# Models with a `status` field that have no machine, and why. A new stateful model must either
# declare its machine in its app's states.py or be listed here with the reason.
WITHOUT_MACHINE = {
    # records of a finished run: written once with their outcome, never moved afterwards
    "exchange.BulkLoad": "written once with the load's outcome",
}


def _pairs(machine: Machine):
    states = list(machine.states.values)
    moves = sorted(machine.moves) or [None]
    return itertools.product(states, states, moves)


def _declared(machine: Machine, before, after, move, kind) -> bool:
    """Read the table as the app wrote it (not the machine's normalised copy)."""
    for key, kinds in machine.table.items():
        if tuple(str(part) for part in key) == tuple(
            part for part in (before, after, move) if part is not None
        ):
            kinds = {kinds} if isinstance(kinds, str) else kinds  # one kind written bare
            return kind in {str(k) for k in kinds}
    return False


def test_the_apps_declare_their_machines():
    names = {machine.name for machine in MACHINES}
    assert {
        "applications.application",
        "applications.commitment",
        "applications.form",
        "applications.pipeline_step",
        "catalog.import_batch",
        "catalog.item_version",
        "exchange.access_request",
        "exchange.resource_version",
        "hall.appointment",
        "identity.client_registration",
        "hall.ticket",
        "hall.window_desk",
        "licences.licence",
        "notify.delivery",
        "policies.match",
        "policies.match_run",
        "policies.objection",
        "policies.payment_batch",
        "policies.payment_line",
        "policies.policy",
        "ratings.bad_case",
        "rules.version",
        "seals.seal",
        "workflow.definition",
        "workflow.instance",
        "workorders.assist",
        "workorders.extension",
        "workorders.work_order",
    } <= names


def test_every_stateful_model_has_a_machine_or_a_reason():
    """A field named `status` or `state` with a fixed set of choices is a lifecycle."""
    covered = {machine.model for machine in MACHINES}
    with_field = {(machine.model, machine.field) for machine in MACHINES}
    lifecycles = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        if model.__module__.startswith("tongban.")
        for field in model._meta.get_fields()
        if field.name in ("status", "state")
        and isinstance(field, models.CharField)
        and field.choices
    }
    stateful = {label for label, _field in lifecycles}
    assert {
        (label, name) for label, name in lifecycles if label not in WITHOUT_MACHINE
    } - with_field == set(), "a status or state field with no machine"
    assert stateful - covered - set(WITHOUT_MACHINE) == set()
    assert set(WITHOUT_MACHINE) <= stateful, "an exemption for a model that has no status"
    assert set(WITHOUT_MACHINE) & covered == set(), "a machine now exists: drop the exemption"


@pytest.mark.parametrize("machine", MACHINES, ids=lambda machine: machine.name)
def test_the_table_names_only_states_of_the_model(machine):
    field = machine.model_class()._meta.get_field(machine.field)
    choices = {str(value) for value, _label in field.choices}
    named = {str(part) for key in machine.table for part in key[:2]}
    assert named <= choices
    assert set(machine.states.values) <= choices
    assert machine.actor_kinds, "a move nobody may make is no move"


@pytest.mark.parametrize("machine", MACHINES, ids=lambda machine: machine.name)
def test_exactly_the_declared_moves_pass(machine):
    model = machine.model_class()
    kinds = sorted(machine.actor_kinds | {OUTSIDER})
    passed = 0
    for before, after, move in _pairs(machine):
        for kind in kinds:
            record = model(**{machine.field: before})
            expected = _declared(machine, before, after, move, kind)
            if expected:
                left = transition(
                    record,
                    after,
                    actor_kind=kind,
                    move=move,
                    machine=machine,
                    save=False,
                    history=False,
                    write_audit=False,
                )
                assert left == before
                assert getattr(record, machine.field) == after
                passed += 1
            else:
                with pytest.raises(IllegalTransition) as refused:
                    transition(
                        record,
                        after,
                        actor_kind=kind,
                        move=move,
                        machine=machine,
                        save=False,
                        history=False,
                        write_audit=False,
                    )
                assert getattr(record, machine.field) == before, "a refused move changed nothing"
                text = " ".join(refused.value.messages)
                assert machine.label(before) in text
                assert machine.label(after) in text
    assert passed == sum(len(kinds_) for kinds_ in machine.rules.values())


def test_a_move_without_actor_kind_needs_only_the_pair_in_the_table():
    machine = next(m for m in MACHINES if m.name == "licences.licence")
    assert machine.allows("valid", "revoked")
    assert not machine.allows("revoked", "valid")
    with pytest.raises(IllegalTransition, match="证照当前状态为“已撤销”，不能变为“有效”"):
        machine.check("revoked", "valid")


def test_a_caller_message_names_the_current_status():
    machine = next(m for m in MACHINES if m.name == "seals.seal")
    with pytest.raises(IllegalTransition, match="印章已注销，不能再更换"):
        machine.check("revoked", "rotated", message="印章%(status)s，不能再更换")


def test_a_field_keyed_refusal_is_a_form_error():
    machine = next(m for m in MACHINES if m.name == "exchange.access_request")
    with pytest.raises(IllegalTransition) as refused:
        machine.check("approved", "refused")
    assert list(refused.value.message_dict) == ["status"]


def test_a_table_is_declared_once():
    first = next(m for m in MACHINES if m.name == "rules.version")
    again = Machine(
        name=first.name,
        model=first.model,
        states=first.states,
        table={("draft", "withdrawn"): {"author"}},
    )
    with pytest.raises(ValueError, match="declared twice"):
        statemachine.register(again)


@pytest.mark.django_db
def test_transition_saves_writes_history_and_audit(department):
    from tongban.rules.models import RuleSet, RuleSetVersion
    from tongban.rules.states import VERSION

    rule_set = RuleSet.objects.create(code="t-1", name="测试规则", department=department)
    version = RuleSetVersion.objects.create(rule_set=rule_set, number=1, definition={})
    before = AuditRecord.objects.count()

    left = transition(version, "published", actor=None, machine=VERSION, reason="试行")

    version.refresh_from_db()
    assert (left, version.status) == ("draft", "published")
    event = version.events.get()
    assert (event.from_status, event.to_status, event.note) == ("draft", "published", "试行")
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("sequence")
    assert record.detail["from"] == "draft" and record.detail["to"] == "published"

    with pytest.raises(IllegalTransition):
        transition(version, "draft", actor=None, machine=VERSION)
    version.refresh_from_db()
    assert version.status == "published"
    assert version.events.count() == 1


def test_a_refusal_reads_in_the_language_of_the_page():
    from django.utils import translation

    machine = next(m for m in MACHINES if m.name == "workorders.work_order")
    states = list(machine.states.values)
    before, after = next(
        (a, b) for a in states for b in states if not machine.allows(a, b) and a != b
    )
    with translation.override("en"):
        english = machine.refusal(before, after, None)
    assert english.startswith("This work order is ")
    assert machine.refusal(before, after, None).startswith("工单当前状态为")
