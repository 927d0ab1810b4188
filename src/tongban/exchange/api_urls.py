from django.urls import path

from tongban.exchange import api, api_bulk

urlpatterns = [
    path("query", api.QueryView.as_view(), name="exchange-query"),
    path("subscriptions", api_bulk.SubscriptionsView.as_view(), name="exchange-subscriptions"),
    path(
        "subscriptions/<int:pk>/extracts",
        api_bulk.ExtractsView.as_view(),
        name="exchange-subscription-extracts",
    ),
    path("extracts/<int:pk>", api_bulk.ExtractFileView.as_view(), name="exchange-extract-file"),
    path("statistics", api.StatisticsView.as_view(), name="exchange-statistics"),
]
