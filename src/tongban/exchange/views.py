"""用数记录: a citizen or enterprise sees which department read which of their data, for what
purpose and case, and when."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from tongban.core import pii
from tongban.core.paging import ShortListPaginator
from tongban.exchange.models import CallRecord, DataItem, MaterialVerification, Resource

PER_PAGE = 20


def subject_index_of(user) -> str | None:
    """The blind index the user's own data is logged under (None for staff)."""
    citizen = getattr(user, "citizen", None) if user.kind == "citizen" else None
    if citizen is not None:
        return citizen.id_index
    enterprise = getattr(user, "enterprise", None) if user.kind == "enterprise" else None
    if enterprise is not None:
        return pii.blind_index(enterprise.uscc, "uscc")
    return None


def describe(records: list[CallRecord]) -> list[dict]:
    """Records with the resource's and items' names, as a person reads them."""
    codes = {r.resource_code for r in records}
    resources = {
        r.code: r
        for r in Resource.objects.filter(code__in=codes).select_related(
            "current_version", "department"
        )
    }
    versions = [r.current_version_id for r in resources.values() if r.current_version_id]
    item_names = {
        (version_id, code): name
        for version_id, code, name in DataItem.objects.filter(version_id__in=versions).values_list(
            "version_id", "code", "name"
        )
    }
    # A material verified while the application was a draft: the case number it got since.
    cases = dict(
        MaterialVerification.objects.filter(call_record__in=records).values_list(
            "call_record_id", "case_ref"
        )
    )
    rows = []
    for record in records:
        resource = resources.get(record.resource_code)
        version = resource.current_version if resource else None
        names = [
            item_names.get((version.pk if version else None, code), code)
            for code in record.items.split(",")
            if code
        ]
        rows.append(
            {
                "record": record,
                "reader": record.consumer_name,
                "resource": version.name if version else record.resource_code,
                "holder": record.provider_department,
                "items": "、".join(names),
                "case": cases.get(record.pk) or record.case_ref,
            }
        )
    return rows


@login_required
def data_use(request):
    index = subject_index_of(request.user)
    if index is None:
        raise PermissionDenied(_("用数记录只对自然人和法人账户开放"))
    records = CallRecord.objects.filter(
        subject_index=index,
        kind=CallRecord.Kind.QUERY,
        outcome=CallRecord.Outcome.ANSWERED,
    ).order_by("-id")
    page = ShortListPaginator(records, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "exchange/data_use.html", {"page": page, "rows": describe(list(page.object_list))}
    )
