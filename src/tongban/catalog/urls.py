from django.urls import path, re_path

from tongban.catalog import views

app_name = "catalog"

CODE = r"(?P<code>[0-9A-Z]{31})"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search_page, name="search"),
    path("materials/<int:pk>/<str:kind>/", views.material_file, name="material-file"),
    re_path(rf"^{CODE}/$", views.guide, name="guide"),
    re_path(rf"^{CODE}/situation/$", views.situation, name="situation"),
    re_path(rf"^{CODE}/qr\.svg$", views.qr_code, name="qr"),
]
