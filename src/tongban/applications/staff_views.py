"""窗口代办: a window clerk starts an application for a person at the counter; the draft belongs to
that person (it shows in their 我的办件) and records the clerk and the window channel."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tongban.accounts.backends import find_user_by_identifier
from tongban.accounts.models import User
from tongban.accounts.permissions import role_required, serves_department
from tongban.accounts.roles import Role
from tongban.applications import actions
from tongban.applications.models import Application
from tongban.catalog.models import ServiceItem
from tongban.core import identifiers


@role_required(Role.WINDOW_CLERK)
def proxy_start(request):
    errors: dict[str, str] = {}
    values = {"id_number": "", "code": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip().upper() for k in values}
        checked = identifiers.check_citizen_id(values["id_number"])
        person = find_user_by_identifier(values["id_number"]) if checked.valid else None
        if not checked.valid:
            errors["id_number"] = checked.reason
        elif person is None or person.kind != User.Kind.CITIZEN:
            errors["id_number"] = _("该申请人尚未在本平台实名注册，请先协助其注册")
        item = ServiceItem.objects.filter(implementation_code=values["code"]).first()
        if item is None:
            errors["code"] = _("未找到该实施编码对应的事项")
        elif not serves_department(request.user, item.department_id):
            errors["code"] = _("该事项不属于本窗口受理的部门")
        if not errors:
            try:
                application = actions.start_application(
                    owner=person,
                    service_item=item,
                    channel=Application.Channel.WINDOW,
                    window_staff=request.user,
                )
            except ValidationError as error:
                errors["code"] = "；".join(error.messages)
            else:
                messages.success(
                    request,
                    _("已为申请人创建 %(name)s 的申请草稿") % {"name": item.current_version.name},
                )
                return redirect("applications:draft", application.public_id)
    return render(request, "applications/proxy_start.html", {"errors": errors, "values": values})
