from django.urls import path
from rest_framework.routers import SimpleRouter

from tongban.catalog import api

router = SimpleRouter(trailing_slash=True)
router.register("items", api.ItemViewSet, basename="catalog-item")
router.register("versions", api.VersionViewSet, basename="catalog-version")

urlpatterns = [
    path("search/", api.SearchView.as_view(), name="catalog-search"),
    path("statistics/", api.StatisticsView.as_view(), name="catalog-statistics"),
    *router.urls,
]
