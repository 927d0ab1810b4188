"""Formsets of a draft's children (materials, 业务办理项), on the staff pages and in the admin."""

from django import forms

from tongban.catalog import actions


class DraftChildrenRule:
    """Asks the service layer's duplicate rule (catalog.actions.duplicate_children) before the rows
    are saved, so the page shows the refusal next to them; `unique_field` is "name" (materials) or
    "serial" (业务办理项). The service checks again after saving, whichever page wrote the rows."""

    unique_field = ""

    def clean(self):
        super().clean()
        kept = [
            f.cleaned_data.get(self.unique_field)
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        argument = {"name": "names", "serial": "serials"}[self.unique_field]
        problems = actions.duplicate_children(**{argument: kept})
        if problems:
            raise forms.ValidationError(next(iter(problems.values())))
