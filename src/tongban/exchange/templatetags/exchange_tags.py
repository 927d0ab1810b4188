from django import template

from tongban.exchange.actions import materials
from tongban.exchange.models import MaterialVerification

register = template.Library()


@register.inclusion_tag("exchange/_case_shared_data.html")
def case_shared_data(application):
    """Staff case page: materials fulfilled by shared data, with provenance and the facts read."""
    verifications = list(
        MaterialVerification.objects.filter(
            application_ref=application.pk, released_at__isnull=True
        )
        .select_related("material", "resource", "call_record__checkpoint")
        .order_by("pk")[:50]
    )
    return {"rows": [{"v": v, "facts": materials.facts(v)} for v in verifications]}
