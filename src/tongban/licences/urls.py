from django.urls import path

from tongban.licences import views

app_name = "licences"

urlpatterns = [
    path("", views.wallet, name="wallet"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/decision/", views.decision, name="decision"),
    path("<int:pk>/show/", views.show, name="show"),
    path("<int:pk>/show/qr.svg", views.show_qr, name="show-qr"),
    path("verify/", views.verify, name="verify"),
    path("show/<str:token>/", views.scan, name="scan"),
]
