from django.urls import path

from tongban.ratings import api

urlpatterns = [
    path("", api.RatingCreateView.as_view(), name="ratings-create"),
    path("public-stats/", api.PublicStatsView.as_view(), name="ratings-public-stats"),
]
