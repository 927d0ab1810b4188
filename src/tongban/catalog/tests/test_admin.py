from django.urls import reverse

from tongban.catalog.models import ItemVersion
from tongban.core.models import AuditRecord
from tongban.testing.catalog import complete_item


def test_admin_edits_drafts_through_the_service_layer(
    client, platform_admin, department, catalogue_admin
):
    from tongban.catalog import actions

    _item, draft = complete_item(department)
    client.force_login(platform_admin)
    for name in ("basicitem", "serviceitem", "itemversion", "importbatch"):
        assert client.get(reverse(f"admin:catalog_{name}_changelist")).status_code == 200
    url = reverse("admin:catalog_itemversion_change", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if name == "halls":
            data[name] = [h.pk for h in value or []]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None and name != "handling_office":
            data[name] = value if not isinstance(value, list) else "[]"
    data["faq"] = "[]"
    data["promised_limit"] = 30  # longer than the legal limit
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
        )
        for i, f in enumerate(formset.forms):
            data[f"{formset.prefix}-{i}-id"] = f.instance.pk
            data[f"{formset.prefix}-{i}-version"] = draft.pk
            for fname in f.fields:
                if fname in ("id", "version", "DELETE"):
                    continue
                v = f.initial.get(fname)
                if isinstance(v, bool):
                    if v:
                        data[f"{formset.prefix}-{i}-{fname}"] = "on"
                elif (
                    v is not None
                    and not hasattr(v, "all")
                    and fname not in ("blank_form", "sample")
                ):
                    data[f"{formset.prefix}-{i}-{fname}"] = v
    rejected = client.post(url, data)
    assert "承诺办结时限不能长于法定办结时限" in rejected.content.decode()
    data["promised_limit"] = 4
    assert client.post(url, data).status_code == 302
    assert ItemVersion.objects.get(pk=draft.pk).promised_limit == 4
    assert AuditRecord.objects.filter(
        action="catalog.update_draft", object_id=str(draft.pk)
    ).exists()
    actions.publish(actor=catalogue_admin, version=draft)
    assert client.post(url, data).status_code == 403  # published versions are read-only
