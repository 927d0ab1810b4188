from django.urls import path
from rest_framework.routers import SimpleRouter

from tongban.applications import api

router = SimpleRouter(trailing_slash=True)
router.register("applications", api.ApplicationViewSet, basename="applications")

urlpatterns = [
    path("progress/", api.ProgressView.as_view(), name="progress-query"),
    *router.urls,
]
