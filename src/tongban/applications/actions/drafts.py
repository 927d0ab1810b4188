"""Drafts: who may apply, starting a draft, saving a page as typed, discarding."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts import actions as accounts
from tongban.accounts.models import EnterpriseProfile, User
from tongban.applications import formdefs, prefill
from tongban.applications.actions.common import (
    ORGANISATION_OBJECTS,
    PERSON_OBJECT,
    locked,
    move,
    prefill_context,
    prefilled_fields,
)
from tongban.applications.actions.forms import published_form
from tongban.applications.audit_actions import AuditAction
from tongban.applications.models import (
    Application,
)
from tongban.applications.states import Status
from tongban.catalog import actions as catalog
from tongban.catalog.models import ItemVersion, ServiceItem
from tongban.core import audit
from tongban.identity import realname


def _check_item_open(item: ServiceItem, channel: str) -> ItemVersion:
    version = item.current_version
    today = timezone.localdate()
    if version is None or version.status != ItemVersion.Status.PUBLISHED:
        raise ValidationError(_("该事项已停止办理"))
    if (version.valid_from and version.valid_from > today) or (
        version.valid_to and version.valid_to < today
    ):
        raise ValidationError(_("该事项当前不在办理有效期内"))
    if not version.is_online and channel not in (
        Application.Channel.WINDOW,
        Application.Channel.KIOSK,
    ):
        raise ValidationError(_("该事项暂不支持网上办理，请到办事窗口办理"))
    return version


def _check_applicant(
    owner: User, version: ItemVersion, item: ServiceItem, enterprise: EnterpriseProfile | None
):
    """Returns the agent authorisation used, if any. Raises when this account may not apply."""
    objects = set(filter(None, version.service_object.split(",")))
    if enterprise is None:
        if owner.kind != User.Kind.CITIZEN:
            raise ValidationError(_("请使用个人账户办理个人事项"))
        if PERSON_OBJECT not in objects:
            raise ValidationError(_("该事项的服务对象是法人，请以企业身份办理"))
        return None
    if not objects & ORGANISATION_OBJECTS:
        raise ValidationError(_("该事项的服务对象是自然人，不能以企业身份办理"))
    if owner.kind == User.Kind.ENTERPRISE and getattr(owner, "enterprise", None) == enterprise:
        return None
    authorisation = accounts.active_authorisation(owner, enterprise, item.basic_item.basic_code)
    if authorisation is None:
        raise ValidationError(_("您没有该企业办理此事项的有效授权，请联系企业法定代表人授权"))
    return authorisation


def realname_shortfall(application: Application, version: ItemVersion | None = None):
    """What the applicant lacks of the real-name level the item requires for online applications
    (identity.realname.Shortfall), or None. At the window staff check identity in person."""
    if application.channel == Application.Channel.WINDOW or application.window_staff_id:
        return None
    version = version or application.service_item.current_version or application.item_version
    return realname.shortfall(application.owner, version.required_realname_level)


def _check_realname_level(application: Application, version: ItemVersion) -> None:
    """Refuse the submission (the draft stays as it is) of an applicant below the required level."""
    missing = realname_shortfall(application, version)
    if missing is not None:
        raise ValidationError(missing.message, code="realname_level")


@transaction.atomic
def start_application(
    *,
    owner: User,
    service_item: ServiceItem,
    channel: str,
    answers: dict[int, int] | None = None,
    enterprise: EnterpriseProfile | None = None,
    entrusted: bool = False,
    window_staff: User | None = None,
    idempotency_key: str | None = None,
    idempotency_fingerprint: str = "",
) -> Application:
    """A new draft. With an idempotency key (the API's, scoped to the account), a second draft with
    the same key raises IntegrityError: the caller answers with the first one."""
    version = _check_item_open(service_item, channel)
    authorisation = _check_applicant(owner, version, service_item, enterprise)
    guidance = catalog.resolve_situation(catalog.version_structure(version), answers or {})
    if guidance.invalid:
        raise ValidationError({"answers": guidance.invalid})
    if guidance.unanswered:
        raise ValidationError(
            _("请先回答情形引导问题：%(questions)s")
            % {"questions": "；".join(q.text for q in guidance.unanswered)}
        )
    form = published_form(service_item)
    context = prefill.PrefillContext(
        owner=owner, enterprise=enterprise, entrusted=entrusted and not enterprise
    )
    application = Application.objects.create(
        service_item=service_item,
        item_version=version,
        handling_item=guidance.handling_item,
        form=form,
        situation_answers={str(k): v for k, v in (answers or {}).items()},
        data=prefill.from_exchange(form.schema, context, prefill.apply(form.schema, context, {})),
        owner=owner,
        applicant_kind=Application.ApplicantKind.ENTERPRISE
        if enterprise
        else Application.ApplicantKind.PERSON,
        enterprise=enterprise,
        agent_authorisation=authorisation,
        entrusted=entrusted and not enterprise,
        window_staff=window_staff,
        channel=channel,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=idempotency_fingerprint,
    )
    audit.record(
        AuditAction.START,
        actor=window_staff or owner,
        obj=application,
        detail={"item": service_item.implementation_code, "channel": channel},
    )
    return application


def open_drafts(owner: User, service_item: ServiceItem, limit: int = 5) -> list[Application]:
    """The person's drafts of this item, the latest first: what 开始填写 offers to continue
    instead of starting yet another draft."""
    return list(
        Application.objects.filter(
            owner=owner, service_item=service_item, status=Status.DRAFT, window_staff=None
        )
        .select_related("enterprise", "handling_item")
        .only(
            "public_id",
            "created_at",
            "updated_at",
            "current_section",
            "enterprise__name",
            "entrusted",
            "handling_item__name",
        )
        .order_by("-updated_at")[:limit]
    )


@transaction.atomic
def save_section(*, application: Application, actor: User, section: int, raw) -> dict[str, str]:
    """Save one page of the form as typed; return that page's problems (empty when it is complete).
    Draft saves are content edits by the owner, not status moves: they are not audited one by one
    (submission is), so typing never contends for the audit chain."""
    application = locked(application, actor)
    sections = application.form.sections
    if not 0 <= section < len(sections):
        raise ValidationError(_("表单页码无效"))
    _refuse_values_of_other_pages(application.form, section, raw)
    _type_in(application, sections[section]["fields"], raw)
    application.current_section = section
    application.save(update_fields=["data", "current_section", "updated_at"])
    return formdefs.validate(
        application.form.schema,
        application.form.layout,
        application.data,
        only=sections[section]["fields"],
    )


def _refuse_values_of_other_pages(form, section: int, raw) -> None:
    """A page saves only its own fields. A value sent with the wrong page number (a client's
    off-by-one, a stale tab) would otherwise be dropped without a word: refuse it, naming where
    each field belongs, so the client sends it to the right page and nothing is lost."""
    page_of = {name: index for index, s in enumerate(form.sections) for name in s["fields"]}
    strays = sorted(name for name in raw if page_of.get(name, -1) != section)
    if not strays:
        return
    properties = form.schema.get("properties", {})
    misplaced = [
        _("“%(field)s”在第 %(page)s 页")
        % {"field": properties[name].get("title", name), "page": page_of[name] + 1}
        for name in strays
        if name in page_of
    ]
    unknown = [name for name in strays if name not in page_of]
    problems = []
    if misplaced:
        problems.append(
            _("以下内容不在第 %(page)s 页，未保存：%(fields)s")
            % {"page": section + 1, "fields": "；".join(misplaced)}
        )
    if unknown:
        problems.append(_("申请表中没有这些字段：%(fields)s") % {"fields": "、".join(unknown)})
    raise ValidationError({"values": problems})


def _type_in(application: Application, names, raw) -> None:
    """Put the typed values of the fields `names` into the application's data (not saved)."""
    schema = application.form.schema
    data = prefill.apply(schema, prefill_context(application), application.data)
    locked = prefilled_fields(application)
    for name in names:
        if name in locked:
            continue  # known by the platform: shown, never typed
        data[name] = formdefs.coerce(schema["properties"][name], raw.get(name))
    application.data = data


@transaction.atomic
def discard_draft(*, application: Application, actor: User) -> None:
    application = locked(application, actor)
    move(application, Status.DISCARDED, actor, "applicant")
    application.save(update_fields=["status", "updated_at"])
    audit.record(AuditAction.DISCARD, actor=actor, obj=application)
