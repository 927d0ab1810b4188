from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


@register.filter
def label(mapping, key):
    return dict(mapping).get(key, key)


@register.simple_tag
def sms_simulator_enabled() -> bool:
    from tongban.ratings import sms

    return sms.simulator_enabled()
