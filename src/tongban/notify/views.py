"""消息中心: the signed-in user's in-app messages. Thin: the service layer does the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tongban.core.paging import ShortListPaginator
from tongban.notify import actions
from tongban.notify.models import InboxMessage

PAGE_SIZE = 20


@login_required
def inbox(request):
    queryset = (
        InboxMessage.objects.filter(recipient=request.user)
        .annotate(
            unread=Case(
                When(read_at__isnull=True, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-unread", "-created_at", "-pk")
        .only("pk", "title", "link", "read_at", "created_at")
    )
    page = ShortListPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notify/inbox.html", {"page": page})


@login_required
def message(request, pk: int):
    try:
        item = actions.mark_read(request.user, pk)
    except InboxMessage.DoesNotExist as exc:
        raise Http404("没有这条消息") from exc
    return render(request, "notify/message.html", {"message": item})


@login_required
@require_POST
def read_all(request):
    count = actions.mark_all_read(request.user)
    messages.success(
        request,
        ngettext("已将 %(count)s 条消息标为已读。", "已将 %(count)s 条消息标为已读。", count)
        % {"count": count}
        if count
        else _("没有未读消息。"),
    )
    return redirect("notify:inbox")
