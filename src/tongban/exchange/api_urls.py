from django.urls import path

from tongban.exchange import api

urlpatterns = [
    path("query", api.QueryView.as_view(), name="exchange-query"),
    path("statistics", api.StatisticsView.as_view(), name="exchange-statistics"),
]
