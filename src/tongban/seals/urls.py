from django.urls import path

from tongban.seals import views

app_name = "seals"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("documents/<str:ref>/", views.document, name="document"),
    path("seals/<int:pk>.svg", views.seal_image, name="seal-image"),
    path("platform-ca.pem", views.ca_certificates, name="ca-certificates"),
]
