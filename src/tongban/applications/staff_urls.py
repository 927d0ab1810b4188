from django.urls import path

from tongban.applications import staff_views

app_name = "intake_staff"

urlpatterns = [
    path("", staff_views.proxy_start, name="proxy-start"),
    path("scan/", staff_views.proxy_scan, name="proxy-scan"),
    path("scan/panel/", staff_views.proxy_scan_panel, name="proxy-scan-panel"),
    path("cases/<uuid:public_id>/reveal", staff_views.reveal_form_value, name="reveal"),
]
