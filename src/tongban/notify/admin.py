"""Admin: templates are editable; the delivery log, inbox and SMS outbox are read-only records.
Phones appear only masked. "重新发送" goes through the service layer (new delivery, audited)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from tongban.core.admin import AuditedAdminMixin, ReadOnlyMixin
from tongban.notify import actions
from tongban.notify.models import (
    Delivery,
    InboxMessage,
    MessageTemplate,
    Notification,
    SmsOutbox,
)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "channel", "name", "subject", "is_active", "updated_at"]
    list_filter = ["channel", "is_active"]
    search_fields = ["code", "name", "subject", "body"]
    ordering = ["code", "channel"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fk_name = "notification"
    extra = 0
    can_delete = False
    fields = ["channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["subject", "template_code", "recipient", "related_type", "created_at"]
    list_filter = ["template_code"]
    search_fields = ["template_code", "subject", "related_id"]
    list_select_related = ["recipient"]
    inlines = [DeliveryInline]
    date_hierarchy = "created_at"


@admin.action(description="重新发送")
def resend_deliveries(modeladmin, request, queryset):
    done, problems = 0, []
    for delivery in queryset.order_by("pk")[:200]:
        try:
            actions.resend(delivery.pk, actor=request.user)
            done += 1
        except PermissionDenied as exc:
            problems.append(f"#{delivery.pk}：{exc}")
        except ValidationError as exc:
            problems.append(f"#{delivery.pk}：{'；'.join(exc.messages)}")
    if done:
        modeladmin.message_user(request, f"已重新发送 {done} 条。", messages.SUCCESS)
    for problem in problems:
        modeladmin.message_user(request, problem, messages.WARNING)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "channel",
        "to_phone_masked",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "notification",
        "created_at",
    ]
    list_filter = ["status", "channel"]
    exclude = ["to_phone", "secret_body"]  # the number shows masked; a secret text never
    search_fields = ["notification__template_code", "provider_message_id"]
    list_select_related = ["notification"]
    actions = [resend_deliveries]
    date_hierarchy = "created_at"


@admin.register(InboxMessage)
class InboxMessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "recipient", "read_at", "created_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(SmsOutbox)
class SmsOutboxAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "masked_phone", "text", "reference"]
    fields = ["created_at", "masked_phone", "text", "reference"]  # never the full phone
    search_fields = ["text", "reference"]
    date_hierarchy = "created_at"
