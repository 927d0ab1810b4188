from django.urls import path

from tongban.bundles import views

app_name = "bundles"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("<slug:code>/", views.guide, name="guide"),
    path("<slug:code>/apply/", views.apply, name="apply"),
    path("case/<uuid:public_id>/", views.detail, name="detail"),
    path("case/<uuid:public_id>/correct/", views.correct, name="correct"),
    path("case/<uuid:public_id>/result.pdf", views.result_pdf, name="result_pdf"),
]
