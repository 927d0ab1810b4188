"""The 43-character 办件编号 as people read it: in groups of four, as a bank card is printed (the
copy button beside it copies it without spaces). A draft's reference is left as it is."""

from django import template

register = template.Library()


@register.filter
def grouped(value) -> str:
    text = str(value or "")
    if len(text) < 12 or " " in text:
        return text
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
