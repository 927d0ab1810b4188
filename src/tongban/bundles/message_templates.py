"""The bundle domain's message templates, gathered with every domain's by `notify.seed`."""

from tongban.bundles.notices import TEMPLATES as MESSAGE_TEMPLATES

__all__ = ["MESSAGE_TEMPLATES"]
