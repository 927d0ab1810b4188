from django.urls import path

from tongban.applications import staff_views

app_name = "intake_staff"

urlpatterns = [
    path("", staff_views.proxy_start, name="proxy-start"),
    path("cases/<uuid:public_id>/reveal", staff_views.reveal_form_value, name="reveal"),
]
