"""One way to declare a status machine, one way to move, one way to refuse.

Every stateful model declares its transition table once, in its app's `states.py` (Signalen's
ALLOWED_STATUS_CHANGES), as a `Machine`:

    BAD_CASE = statemachine.register(
        statemachine.Machine(
            name="ratings.bad_case",
            model="ratings.BadRatingCase",
            states=BadStatus,
            table={(BadStatus.ASSIGNED, BadStatus.VERIFIED): {DEPARTMENT}, ...},
            history=write_history_row,
            audit_prefix="ratings.bad_",
        )
    )

A key of the table is (from, to), or (from, to, move) where one pair of states is reached by
several named moves (a work order's 派单 and 改派); the value is the set of actor kinds that may
make it (roles, "system", "applicant" … as the app defines them). A move not listed is refused.

The service layer moves a record with `transition(obj, to, actor=…, actor_kind=…, reason=…)`: it
refuses an illegal move with a Chinese error naming both states (`IllegalTransition`, a
ValidationError so forms and the API show it as any other bad input), sets and saves the status,
writes the machine's history row and the audit record, all in the caller's transaction. Who the
actor is (role, department) is the domain's `policy` module's business: the machine only knows
kinds. `machines()` lists every registered machine: tests/test_statemachines.py in core walks every
(from, to) pair of every one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongban.core import audit

SYSTEM = "system"


class IllegalTransition(ValidationError):
    """The transition table does not allow this move, or not for this kind of actor."""


HistoryWriter = Callable[..., object]


@dataclass(frozen=True)
class Machine:
    name: str  # "<app>.<thing>", unique
    model: str  # "app_label.ModelName"
    states: type[models.TextChoices]
    table: Mapping[tuple, Iterable[str]]
    field: str = "status"
    noun: str = ""  # what moves, for messages: "证照", "工单" …
    # `history(obj, before, after, actor=…, reason=…, **extra)` appends the history row.
    history: HistoryWriter | None = None
    # The audit action is `audit_prefix + to` unless the caller names one.
    audit_prefix: str = ""
    # A ValidationError dict key for the refusal ({"status": [...]}), or "" for a plain message.
    error_field: str = ""
    rules: dict = dataclass_field(init=False, default_factory=dict)

    def __post_init__(self):
        for key, kinds in self.table.items():
            if len(key) not in (2, 3):
                raise ValueError(f"{self.name}: a key is (from, to) or (from, to, move): {key!r}")
            if isinstance(kinds, str):  # one kind written bare: {"a"} rather than "a"
                kinds = {kinds}
            self.rules[tuple(str(part) for part in key)] = frozenset(str(k) for k in kinds)

    # --- reading the table ------------------------------------------------------------------

    @property
    def with_moves(self) -> bool:
        return any(len(key) == 3 for key in self.rules)

    @property
    def actor_kinds(self) -> frozenset[str]:
        return frozenset().union(*self.rules.values()) if self.rules else frozenset()

    @property
    def moves(self) -> frozenset[str]:
        return frozenset(key[2] for key in self.rules if len(key) == 3)

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def _key(self, current: str, target: str, move: str | None) -> tuple:
        if self.with_moves:
            return (str(current), str(target), str(move))
        return (str(current), str(target))

    def actors(self, current: str, target: str, move: str | None = None) -> frozenset[str]:
        return self.rules.get(self._key(current, target, move), frozenset())

    def allows(
        self, current: str, target: str, actor_kind: str | None = None, move: str | None = None
    ) -> bool:
        """The move is in the table (and, with `actor_kind`, that kind may make it)."""
        key = self._key(current, target, move)
        if key not in self.rules:
            return False
        return actor_kind is None or str(actor_kind) in self.rules[key]

    def targets(self, current: str, actor_kind: str | None = None) -> set[str]:
        return {
            key[1]
            for key, kinds in self.rules.items()
            if key[0] == str(current) and (actor_kind is None or actor_kind in kinds)
        }

    def label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return str(state)

    # --- refusing ---------------------------------------------------------------------------

    def refusal(self, current: str, target: str, actor_kind: str | None, move=None) -> str:
        before, after = self.label(current), self.label(target)
        # The nouns are written in the apps' states modules; the catalogue carries their English.
        noun = pgettext("state machine", str(self.noun or "记录"))
        if self._key(current, target, move) in self.rules:
            return _("%(noun)s从“%(before)s”变为“%(after)s”须由其他人员办理，您不能操作") % {
                "noun": noun,
                "before": before,
                "after": after,
            }
        return _("%(noun)s当前状态为“%(before)s”，不能变为“%(after)s”") % {
            "noun": noun,
            "before": before,
            "after": after,
        }

    def check(
        self,
        current: str,
        target: str,
        actor_kind: str | None = None,
        *,
        move: str | None = None,
        message: str | None = None,
    ) -> None:
        """Raise IllegalTransition unless the table allows the move (for `actor_kind`, if given).
        `message` replaces the generic text (it may use %(status)s, %(before)s, %(after)s)."""
        if self.allows(current, target, actor_kind, move):
            return
        if message is None:
            text = self.refusal(current, target, actor_kind, move)
        else:
            labels = {"status": self.label(current), "before": self.label(current)}
            labels["after"] = self.label(target)
            text = message % labels if "%(" in message else message
        raise IllegalTransition({self.error_field: [text]} if self.error_field else text)


_registry: dict[str, Machine] = {}
_discovered = False


def register(machine: Machine) -> Machine:
    """Declare `machine` (at import of the app's states module). Registering the same name twice
    with another table is an error: one model, one table."""
    known = _registry.get(machine.name)
    if known is not None and known.rules != machine.rules:
        raise ValueError(f"state machine {machine.name} declared twice with different tables")
    _registry[machine.name] = machine
    return machine


def machines() -> list[Machine]:
    """Every declared machine: the `states` module of each installed app is imported first."""
    global _discovered
    if not _discovered:
        for config in apps.get_app_configs():
            if module_has_submodule(config.module, "states"):
                import_module(f"{config.name}.states")
        _discovered = True
    return sorted(_registry.values(), key=lambda machine: machine.name)


def machine_for(obj_or_model, field: str = "status") -> Machine:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    label = model._meta.label
    for machine in machines():
        if machine.model == label and machine.field == field:
            return machine
    raise LookupError(f"no state machine declared for {label}.{field}")


def transition(
    obj: models.Model,
    target: str,
    *,
    actor=None,
    actor_kind: str | None = None,
    move: str | None = None,
    reason: str = "",
    machine: Machine | None = None,
    message: str | None = None,
    save: bool = True,
    update_fields: Iterable[str] | None = (),
    history: dict | bool = True,
    audit_action: str | None = None,
    audit_detail: dict | None = None,
    audit_role: str = "",
    write_audit: bool = True,
) -> str:
    """Move `obj` (locked by the caller, inside its transaction) to `target`; returns the state it
    left. Refuses a move the table does not allow for `actor_kind` (None: any listed kind). Saves
    the status with `update_fields` (None: the whole row), appends the history row (`history` a
    dict of extra arguments for the machine's writer, False for none) and the audit record."""
    machine = machine or machine_for(obj)
    before = getattr(obj, machine.field)
    machine.check(before, target, actor_kind, move=move, message=message)
    setattr(obj, machine.field, target)
    if save:
        if update_fields is None:
            obj.save()
        else:
            obj.save(update_fields=list(dict.fromkeys([machine.field, *update_fields])))
    if history is not False and machine.history is not None:
        extra = history if isinstance(history, dict) else {}
        machine.history(obj, before, target, actor=actor, reason=reason, **extra)
    if write_audit:
        action = audit_action or f"{machine.audit_prefix}{target}"
        detail = {"from": str(before), "to": str(target), **(audit_detail or {})}
        person = actor if getattr(actor, "pk", None) else None
        audit.record(action, actor=person, obj=obj, role=audit_role, detail=detail)
    return before
