"""What every intake action shares: the one way to lock an application and check who may change
it, the status move, the prefill context and the materials the situation answers require."""

import enum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from tongban.accounts.models import User
from tongban.applications import policy, prefill
from tongban.applications.models import Application, pinned_guide_texts
from tongban.applications.states import APPLICATION
from tongban.catalog import actions as catalog
from tongban.catalog.models import Material
from tongban.core import statemachine

MAX_FILES_PER_MATERIAL = 10
PERSON_OBJECT = "1"
ORGANISATION_OBJECTS = {"2", "3", "4", "6"}


class May(enum.Enum):
    """What `locked` checks the actor may do with the application it locks."""

    EDIT = "edit"  # a party, while the draft (or the 补正) is editable
    ACT = "act"  # a party, whatever the status (容缺后补 after acceptance)
    ANYTHING = "anything"  # no check: the caller decides (submit answers a repeat without one)


# What submitting reads with the locked row: the item, its department and versions, the form.
SUBMISSION_READ = (
    "service_item__basic_item",
    "service_item__department",
    "service_item__current_version",
    "form",
    "enterprise",
    "item_version",
)


def check_editable(application: Application, actor: User) -> None:
    """Refuses (in the person's words) a change by someone not party to the application, or to an
    application that is no longer a draft or waiting for correction."""
    if not policy.is_party(actor, application):
        raise ValidationError(gettext("您无权修改该申请"))
    if not policy.can_edit(actor, application):
        raise ValidationError(
            gettext("该申请%(status)s，不能再修改") % {"status": application.get_status_display()}
        )


def locked(
    application: Application, actor: User | None, *, may: May = May.EDIT, related=()
) -> Application:
    """The application read again with its row locked for this transaction, after checking that
    `actor` may do what `may` says. The one lock helper of intake: saves, uploads, commitments,
    e-licence and shared-data use, recognition, withdrawal and submission all go through it.

    `related`: relations to read with the row (submission reads SUBMISSION_READ, without the
    pinned guide texts). The acting account, when it is the owner, and the form and pinned item
    version the caller already loaded (neither is edited once published) are carried over rather
    than read again: each would be a query on every page save and upload."""
    query = Application.objects.select_for_update(of=("self",))
    if related:
        query = query.select_related(*related).defer(
            *pinned_guide_texts(), *pinned_guide_texts("service_item__current_version")
        )
    row = query.get(pk=application.pk)
    if actor is not None and actor.pk == row.owner_id:
        row.owner = actor  # read once for the session already; prefill and receipt use it
    for relation in ("form", "item_version"):
        descriptor = getattr(Application, relation)
        if (
            relation not in related
            and descriptor.is_cached(application)
            and getattr(application, f"{relation}_id") == getattr(row, f"{relation}_id")
        ):
            setattr(row, relation, getattr(application, relation))
    if may is May.EDIT:
        check_editable(row, actor)
    elif may is May.ACT and not policy.is_party(actor, row):
        raise ValidationError(gettext("您无权修改该申请"))
    return row


def prefill_context(application: Application) -> prefill.PrefillContext:
    return prefill.PrefillContext(
        owner=application.owner, enterprise=application.enterprise, entrusted=application.entrusted
    )


def prefilled_fields(application: Application) -> set[str]:
    """Fields whose value the platform knows: shown read-only, never typed."""
    known = prefill.prefill_values(prefill_context(application))
    return {
        name
        for name, prop in application.form.schema.get("properties", {}).items()
        if prop.get("x-prefill") in known
    }


def required_materials(application: Application) -> list[Material]:
    """The exact materials of the pinned version for the answers given (情形引导)."""
    answers = {int(k): v for k, v in application.situation_answers.items()}
    pinned = (
        application.item_version
        if Application.item_version.is_cached(application)
        else application.item_version_id
    )
    return catalog.resolve_situation(catalog.version_structure(pinned), answers).materials


def move(application: Application, target: str, actor: User, actor_kind: str, note: str = ""):
    """The intake moves, through the one table (applications.states): the machine checks the move
    and writes the StatusChange row; the caller saves the application with its other fields and
    records the act (applications.submit …)."""
    statemachine.transition(
        application,
        target,
        actor=actor,
        actor_kind=actor_kind,
        reason=note,
        machine=APPLICATION,
        message=gettext("当前状态（%(status)s）不能执行此操作"),
        save=False,
        write_audit=False,
    )
