"""Citizen pages under /services/: browse, search, guide, situation guidance, QR code, forms."""

import io
import ipaddress
import re
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from tongban.catalog import actions, codes, conf, search
from tongban.catalog.models import ItemVersion, Material, ServiceItem
from tongban.catalog.pagecache import GUIDE_PAGE_SECONDS, cached_page
from tongban.core.models import Department, Region

PAGE_SIZE = 20
GUIDE_PREFETCH = (
    "halls",
    "materials__handling_items",
    "handling_items",
    "questions__options__materials",
)


def published_items():
    return ServiceItem.objects.filter(current_version__isnull=False).select_related(
        "current_version", "department", "region"
    )


def _page(request, object_list, size=PAGE_SIZE):
    return Paginator(object_list, size).get_page(request.GET.get("page"))


@require_GET
@cached_page()
def index(request):
    """Browse by 自然人/法人 theme, department and region; hot items."""
    theme = request.GET.get("theme", "")
    department_id = request.GET.get("department", "")
    region_code = request.GET.get("region", "")
    items = published_items()
    filters = []
    if theme in codes.PersonTheme.values:
        items = items.filter(current_version__person_themes__contains=theme)
        filters.append(_("个人主题：%(theme)s") % {"theme": codes.PersonTheme(theme).label})
    elif theme.startswith("e-") and theme[2:] in codes.EnterpriseTheme.values:
        items = items.filter(current_version__enterprise_themes__contains=theme[2:])
        filters.append(_("法人主题：%(theme)s") % {"theme": codes.EnterpriseTheme(theme[2:]).label})
    if department_id.isdigit():
        department = get_object_or_404(Department, pk=department_id)
        items = items.filter(department=department)
        filters.append(_("部门：%(name)s") % {"name": department.name})
    if region_code.isdigit():
        region = get_object_or_404(Region, code=region_code)
        items = items.filter(region=region)
        filters.append(_("区划：%(name)s") % {"name": region.name})
    params = {k: v for k, v in request.GET.items() if k in ("theme", "department", "region")}
    context = {"filters": filters, "querystring_prefix": urlencode(params) + "&"}
    if filters:
        context["page"] = _page(request, items.order_by("current_version__name", "pk"))
    else:
        published = Q(service_items__current_version__isnull=False)
        context.update(
            person_themes=codes.PersonTheme.choices,
            enterprise_themes=codes.EnterpriseTheme.choices,
            hot=published_items().order_by("-view_count", "pk")[:8],
            departments=Department.objects.annotate(n=Count("service_items", filter=published))
            .filter(n__gt=0)
            .select_related("region")
            .order_by("region_id", "name"),
            regions=Region.objects.annotate(n=Count("service_items", filter=published))
            .filter(n__gt=0)
            .order_by("code"),
        )
    return render(request, "catalog/index.html", context)


@require_GET
@cached_page()
def search_page(request):
    query = (request.GET.get("q") or "").strip()[:50]
    page = None
    if query:
        ids = search.search(query)
        # A page holds whole groups: items of one name are shown together, with where each is
        # handled (region and level), so the person picks the one for where they live.
        page = _page(request, search.group_same_names(ids), conf.search_page_size())
        found = published_items().in_bulk([pk for group in page.object_list for pk in group])
        page.groups = []
        for group in page.object_list:
            items = sorted(
                (found[pk] for pk in group if pk in found),
                key=lambda item: (item.exercise_level, item.region_id, item.pk),
            )
            if items:
                page.groups.append(items)
        page.items = [item for items in page.groups for item in items]
    return render(
        request,
        "catalog/search.html",
        {
            "query": query,
            "page": page,
            "total": len(ids) if query else 0,
            "querystring_prefix": urlencode({"q": query}) + "&",
        },
    )


def guide_items():
    """Published items with everything their guide page shows."""
    return (
        published_items()
        .select_related("basic_item", "current_version__handling_office", "department__region")
        .prefetch_related(*(f"current_version__{p}" for p in GUIDE_PREFETCH))
    )


def _guide_item(code: str) -> ServiceItem:
    item = guide_items().filter(implementation_code=code).first()
    if item is None:
        raise Http404("没有找到该事项，或该事项已停用")
    return item


def _count_cached_view(request, item_id):
    actions.record_view(item_id)


@require_GET
@cached_page(on_hit=_count_cached_view, seconds=GUIDE_PAGE_SECONDS)
def guide(request, code):
    """The guide page: every element a citizen needs, printable, with a QR code."""
    item = _guide_item(code)
    actions.record_view(item.pk)
    return render_guide(request, item)


def mark_conditional_materials(version: ItemVersion) -> list[Material]:
    """The version's materials, each marked with `when` (the situation it is needed in) when a
    situation option or a 业务办理项 brings it in: such a material is not "必备" for everyone."""
    when: dict[int, list[str]] = {}
    for question in version.questions.all():
        for option in question.options.all():
            for material in option.materials.all():
                when.setdefault(material.pk, []).append(
                    _("选择“%(option)s”时") % {"option": option.text}
                )
    materials = list(version.materials.all())
    for material in materials:
        for handling in material.handling_items.all():
            when.setdefault(material.pk, []).append(_("办理“%(name)s”时") % {"name": handling.name})
        material.when = "；".join(when.get(material.pk, []))
    return materials


def is_public_address(url: str) -> bool:
    """Whether a phone elsewhere could open this address (not this machine, not a private net)."""
    host = (urlsplit(url).hostname or "").lower()
    if not host or host == "localhost" or host.endswith((".local", ".internal", ".lan")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return address.is_global


def render_guide(
    request, item: ServiceItem, version: ItemVersion | None = None, preview: bool = False
) -> HttpResponse:
    """The guide page of an item from guide_items() (also rendered ahead of visitors: warmup);
    with `version` and `preview`, a draft as its guide would read, for staff before publishing."""
    version = version or item.current_version
    materials = mark_conditional_materials(version)
    halls = " ".join(f"{h.name}{h.address}" for h in version.halls.all())
    response = render(
        request,
        "catalog/guide.html",
        {
            "item": item,
            "v": version,
            "handling_items": [(h, h.code_for(item)) for h in version.handling_items.all()],
            "materials": materials,
            "needed": [m for m in materials if m.required and not m.when],
            "conditional_count": sum(1 for m in materials if m.when),
            # 地点说明 that only repeats the hall and its address says nothing new.
            "place_note": ""
            if version.place_note and all(part in halls for part in _note_parts(version))
            else version.place_note,
            "qr_public": is_public_address(settings.SITE_URL),
            "preview": preview,
        },
    )
    if not preview:
        response.cache_meta = item.pk
    return response


def _note_parts(version: ItemVersion) -> list[str]:
    return [p for p in re.split(r"[（）()，,、\s]+", version.place_note) if p]


QUESTION_PARAM = re.compile(r"q\d+")


def _answers(request, version: ItemVersion) -> tuple[dict[int, int], list[str]]:
    """The answers in the query, and what is wrong with those that cannot be used."""
    answers, problems = {}, []
    questions = list(version.questions.all())
    for question in questions:
        value = request.GET.get(f"q{question.pk}", "")
        if value.isdigit():
            answers[question.pk] = int(value)
        elif value:
            problems.append(f"问题“{question.text}”的回答无效，请重新选择")
    # A question this version does not ask (a link saved before the guide changed, or typed by
    # hand) would be ignored without a word, and the person would trust materials worked out
    # without it: say so.
    own = {f"q{question.pk}" for question in questions}
    strangers = sorted(
        key for key in request.GET if QUESTION_PARAM.fullmatch(key) and key not in own
    )
    if strangers:
        problems.append(
            f"链接中的情形问题（{'、'.join(k[1:] for k in strangers)}）不属于本事项的现行指南，"
            "可能指南已更新，请按下面的问题重新选择"
        )
    return answers, problems


@require_GET
@cached_page(seconds=GUIDE_PAGE_SECONDS)
def situation(request, code):
    """情形引导: answer the item's questions, see the 业务办理项 and the exact materials."""
    item = _guide_item(code)
    version = item.current_version
    answers, problems = _answers(request, version)
    asked = answers or problems or "asked" in request.GET  # the form was sent, even empty
    guidance = actions.resolve_situation(version, answers) if asked else None
    if guidance:
        problems += guidance.invalid
    questions = [
        (q, [(o, answers.get(q.pk) == o.pk) for o in q.options.all()])
        for q in version.questions.all()
    ]
    return render(
        request,
        "catalog/situation.html",
        {
            "item": item,
            "v": version,
            "questions": questions,
            "guidance": guidance,
            "problems": problems,
            "has_errors": bool(problems or (guidance and guidance.unanswered)),
        },
    )


@require_GET
@cache_control(max_age=3600, public=True)
def qr_code(request, code):
    if not ServiceItem.objects.filter(
        implementation_code=code, current_version__isnull=False
    ).exists():
        raise Http404("没有找到该事项")
    url = settings.SITE_URL.rstrip("/") + reverse("catalog:guide", args=[code])
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@require_GET
def material_file(request, pk, kind):
    """The blank form or filled sample of a material of a currently published version."""
    if kind not in ("form", "sample"):
        raise Http404("没有此类文件")
    material = get_object_or_404(
        Material.objects.select_related("version"),
        pk=pk,
        version__status=ItemVersion.Status.PUBLISHED,
    )
    file = material.blank_form if kind == "form" else material.sample
    if not file:
        raise Http404("该材料没有此文件")
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])
