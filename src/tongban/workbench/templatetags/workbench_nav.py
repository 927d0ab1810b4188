from django import template

from tongban.workbench import nav

register = template.Library()


@register.simple_tag(takes_context=True)
def workbench_nav(context) -> list[dict]:
    """The links of the workbench navigation offered to the signed-in person (workbench.nav)."""
    request = context.get("request")
    return nav.entries_for(request) if request is not None else []
