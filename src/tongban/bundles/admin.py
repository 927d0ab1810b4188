from django.contrib import admin

from tongban.bundles import models as bundles_models
from tongban.bundles.models import BundleApplication, BundleVersion
from tongban.core.admin import ReadOnlyMixin, register_read_only


@admin.register(BundleVersion)
class BundleVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: bundle types are edited on the staff pages, through the service layer."""

    list_display = ["name", "version", "status", "theme", "promised_days", "published_at"]
    list_filter = ["status", "theme"]


@admin.register(BundleApplication)
class BundleApplicationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "version", "status", "submitted_at", "due_date", "warning"]
    list_filter = ["status", "warning"]
    search_fields = ["number"]


# Written only through the service layer: read here, changed there.
register_read_only(
    bundles_models.Bundle,
    bundles_models.BundleMember,
    bundles_models.BundleQuestion,
    bundles_models.BundleOption,
    bundles_models.BundleStatusChange,
    bundles_models.MemberApplication,
    bundles_models.BundleEvent,
    bundles_models.BundleWarning,
    bundles_models.BundleVersionChange,
)
