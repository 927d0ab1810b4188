from django.urls import path

from tongban.workorders import api

urlpatterns = [
    path("", api.ReportView.as_view(), name="workorders-report"),
    path("classify", api.ClassifyView.as_view(), name="workorders-classify"),
    path("track", api.TrackView.as_view(), name="workorders-track"),
    path("alerts", api.AlertView.as_view(), name="workorders-alerts"),
]

open311_urlpatterns = [
    path("services.json", api.Open311Services.as_view(), name="open311-services"),
    path("requests.json", api.Open311Requests.as_view(), name="open311-requests"),
    path("requests/<str:number>.json", api.Open311Request.as_view(), name="open311-request"),
]
