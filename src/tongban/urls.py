from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tongban.core import csp, health
from tongban.identity import urls as identity_urls
from tongban.identity import views as identity_views

admin.site.site_header = f"{settings.PLATFORM_NAME} 管理后台"
admin.site.site_title = "通办管理后台"
admin.site.index_title = "平台管理"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path(settings.CSP_REPORT_PATH.lstrip("/"), csp.report, name="csp-report"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The OAuth 2.0 / OpenID Connect authorisation server (docs/identity.md); discovery also at
    # the site root, where OpenID Connect clients look first.
    path("o/", include((identity_urls.oauth_patterns, "oauth2_provider"))),
    path(
        ".well-known/openid-configuration",
        identity_views.DiscoveryView.as_view(),
        name="openid-configuration",
    ),
    path("account/", include("tongban.identity.urls")),
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
    path("workbench/bundles/", include("tongban.bundles.staff_urls")),
    path("bundles/", include("tongban.bundles.urls")),
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
    path("workbench/policies/", include("tongban.policies.staff_urls")),
    path("workbench/supervision/", include("tongban.supervision.urls")),
    path("policies/", include("tongban.policies.urls")),
    path("", include("tongban.applications.urls")),
    path("", include("tongban.portal.urls")),
]

handler403 = "tongban.portal.views.error_403"
handler404 = "tongban.portal.views.error_404"
handler500 = "tongban.portal.views.error_500"
