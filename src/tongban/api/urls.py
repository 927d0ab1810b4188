from django.urls import include, path

from tongban.api import views
from tongban.workorders.api_urls import open311_urlpatterns

app_name = "api"

urlpatterns = [
    path("identifiers/check", views.IdentifierCheckView.as_view(), name="identifier-check"),
    path("calendar/due-date", views.DueDateView.as_view(), name="due-date"),
    path("catalog/", include("tongban.catalog.api_urls")),
    path("exchange/", include("tongban.exchange.api_urls")),
    path("ratings/", include("tongban.ratings.api_urls")),
    path("licences/", include("tongban.licences.api_urls")),
    path("bundles/", include("tongban.bundles.api_urls")),
    path("workorders/", include("tongban.workorders.api_urls")),
    path("open311/v2/", include(open311_urlpatterns)),
    path("", include("tongban.applications.api_urls")),
]
