from django.urls import path

from tongban.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export, name="export-all"),
    path("export/<slug:key>.xlsx", views.export, name="export"),
    path("monitor/", views.findings, name="findings"),
    path("monitor/<int:finding_id>/supervise/", views.supervise, name="supervise"),
    path("screens/", views.screens, name="screens"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:report_id>.<str:kind>", views.report_file, name="report-file"),
    path("screen/<str:secret>/", views.screen, name="screen"),
    path("screen/<str:secret>/data.json", views.screen_data, name="screen-data"),
]
