from django.urls import path

from tongban.ratings import staff_views

app_name = "ratings_staff"

urlpatterns = [
    path("", staff_views.bad_list, name="list"),
    path("supervision", staff_views.supervision, name="supervision"),
    path("mine", staff_views.mine, name="mine"),
    path("visit/new", staff_views.visit_new, name="visit-new"),
    path("visit/<int:pk>/", staff_views.visit_show, name="visit"),
    path("visit/<int:pk>/qr.svg", staff_views.visit_qr, name="visit-qr"),
    path("<int:pk>/", staff_views.bad_detail, name="detail"),
    path("<int:pk>/<str:move>/", staff_views.bad_act, name="act"),
]
