from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tongban.core import health

admin.site.site_header = f"{settings.PLATFORM_NAME} 管理后台"
admin.site.site_title = "通办管理后台"
admin.site.index_title = "平台管理"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("tongban.api.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("accounts/", include("tongban.accounts.urls")),
    path("workbench/", include("tongban.workbench.urls")),
    path("services/", include("tongban.catalog.urls")),
    path("workbench/catalog/", include("tongban.catalog.staff_urls")),
    path("workbench/proxy/", include("tongban.applications.staff_urls")),
    path("workbench/cases/", include("tongban.cases.urls")),
    path("workbench/ratings/", include("tongban.ratings.staff_urls")),
    path("ratings/", include("tongban.ratings.urls")),
    path("workbench/workorders/", include("tongban.workorders.staff_urls")),
    path("workorders/", include("tongban.workorders.urls")),
    path("inbox/", include("tongban.notify.urls")),
    path("verify/", include("tongban.seals.urls")),
    path("licences/", include("tongban.licences.urls")),
    path("", include("tongban.applications.urls")),
    path("", include("tongban.portal.urls")),
]

handler403 = "tongban.portal.views.error_403"
handler404 = "tongban.portal.views.error_404"
handler500 = "tongban.portal.views.error_500"
