from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider import views as oauth_views

from tongban.core import health

admin.site.site_header = f"{settings.PLATFORM_NAME} 管理后台"
admin.site.site_title = "通办管理后台"
admin.site.index_title = "平台管理"

oauth_endpoints = [
    path("token/", oauth_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", oauth_views.IntrospectTokenView.as_view(), name="introspect"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The OAuth 2.0 authorisation server: only the endpoints client credentials need so far; the
    # identity work adds authorisation and OpenID Connect to the same namespace.
    path("o/", include((oauth_endpoints, "oauth2_provider"))),
    path("api/v1/", include("tongban.api.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"
    ),
    path("accounts/", include("tongban.accounts.urls")),
    path("workbench/", include("tongban.workbench.urls")),
    path("services/", include("tongban.catalog.urls")),
    path("workbench/catalog/", include("tongban.catalog.staff_urls")),
    path("workbench/rules/", include("tongban.rules.staff_urls")),
    path("workbench/proxy/", include("tongban.applications.staff_urls")),
    path("workbench/cases/", include("tongban.cases.urls")),
    path("workbench/ratings/", include("tongban.ratings.staff_urls")),
    path("workbench/licences/", include("tongban.licences.staff_urls")),
    path("ratings/", include("tongban.ratings.urls")),
    path("hall/", include("tongban.hall.urls")),
    path("workbench/hall/", include("tongban.hall.staff_urls")),
    path("workbench/workorders/", include("tongban.workorders.staff_urls")),
    path("workorders/", include("tongban.workorders.urls")),
    path("inbox/", include("tongban.notify.urls")),
    path("verify/", include("tongban.seals.urls")),
    path("licences/", include("tongban.licences.urls")),
    path("data-use/", include("tongban.exchange.urls")),
    path("workbench/exchange/", include("tongban.exchange.staff_urls")),
    path("", include("tongban.applications.urls")),
    path("", include("tongban.portal.urls")),
]

handler403 = "tongban.portal.views.error_403"
handler404 = "tongban.portal.views.error_404"
handler500 = "tongban.portal.views.error_500"
