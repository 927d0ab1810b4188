from django.urls import path

from tongban.applications import staff_views

app_name = "intake_staff"

urlpatterns = [
    path("", staff_views.proxy_start, name="proxy-start"),
]
