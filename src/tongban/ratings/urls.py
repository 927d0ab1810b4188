from django.urls import path

from tongban.ratings import views

app_name = "ratings"

urlpatterns = [
    path("case/<uuid:public_id>/", views.rate_case, name="case"),
    path("visit/<str:token>/", views.rate_visit, name="visit"),
    path("sms/inbound", views.sms_inbound, name="sms-inbound"),
    path("sms/simulator", views.sms_simulator, name="sms-simulator"),
    path("public/", views.public_stats, name="public"),
]
