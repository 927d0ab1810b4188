from django import template

from tongban.licences import actions
from tongban.licences.models import LicenceUse

register = template.Library()


@register.inclusion_tag("licences/_case_licences.html")
def case_licence_uses(application):
    """Staff case page: materials fulfilled by an e-licence, each with its live verification."""
    uses = list(
        LicenceUse.objects.filter(application=application, purpose=LicenceUse.Purpose.MATERIAL)
        .select_related("licence__licence_type", "licence__issuer", "material")
        .order_by("pk")[:50]
    )
    rows = [
        {
            "use": use,
            "check": actions.verify(use.licence.identifier),
            "file": actions.verify_file(use.licence),
        }
        for use in uses
    ]
    return {"rows": rows}
