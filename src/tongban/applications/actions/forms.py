"""The application forms of a service item: the published one, and publishing a new version."""

from django.db import transaction
from django.utils import timezone

from tongban.applications import formdefs, formlib
from tongban.applications.audit_actions import AuditAction
from tongban.applications.models import (
    ApplicationForm,
)
from tongban.applications.states import FORM, SYSTEM
from tongban.catalog.models import ServiceItem
from tongban.core import audit, statemachine


def published_form(service_item: ServiceItem) -> ApplicationForm:
    """The item's published form; an item without one gets the standard form as version 1."""
    form = service_item.forms.filter(status=ApplicationForm.Status.PUBLISHED).first()
    if form is None:
        schema, layout = formlib.standard_definition()
        form = publish_form(actor=None, service_item=service_item, schema=schema, layout=layout)
    return form


@transaction.atomic
def publish_form(
    *, actor, service_item: ServiceItem, schema: dict, layout: dict
) -> ApplicationForm:
    """A new form version becomes the published one; the previous one is retired, not changed
    (applications made under it keep pointing at it)."""
    formdefs.check_definition(schema, layout)
    ServiceItem.objects.select_for_update().filter(pk=service_item.pk).get()
    last = service_item.forms.order_by("-version").first()
    published = service_item.forms.select_for_update().filter(
        status=ApplicationForm.Status.PUBLISHED
    )
    for previous in published.only("pk", "status", "version", "service_item_id"):  # at most one
        statemachine.transition(
            previous,
            ApplicationForm.Status.RETIRED,
            actor=actor,
            actor_kind=SYSTEM,
            machine=FORM,
            audit_action=AuditAction.FORM_RETIRED,
            audit_detail={"item": service_item.implementation_code, "version": previous.version},
        )
    form = ApplicationForm.objects.create(
        service_item=service_item,
        version=(last.version + 1) if last else 1,
        schema=schema,
        layout=layout,
        status=ApplicationForm.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    audit.record(
        AuditAction.PUBLISH_FORM,
        actor=actor,
        obj=form,
        detail={"item": service_item.implementation_code, "version": form.version},
    )
    return form
