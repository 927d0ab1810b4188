from django.urls import path

from tongban.bundles import staff_views

app_name = "bundles_staff"

urlpatterns = [
    path("", staff_views.applications, name="applications"),
    path("case/<uuid:public_id>/", staff_views.detail, name="detail"),
    path("case/<uuid:public_id>/accept/", staff_views.accept_all, name="accept_all"),
    path("types/", staff_views.types_, name="types"),
    path("types/new/", staff_views.new_type, name="new_type"),
    path("types/<int:version_id>/", staff_views.edit_type, name="edit_type"),
    path("types/<int:version_id>/publish/", staff_views.publish, name="publish"),
    path("types/<int:version_id>/withdraw/", staff_views.withdraw, name="withdraw"),
    path("types/<int:version_id>/new-draft/", staff_views.new_draft, name="new_draft"),
    path("statistics/", staff_views.statistics, name="statistics"),
]
