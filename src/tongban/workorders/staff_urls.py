from django.urls import path

from tongban.workorders import staff_views

app_name = "workorders_staff"

urlpatterns = [
    path("", staff_views.order_list, name="list"),
    path("hotline/", staff_views.hotline, name="hotline"),
    path("grid/", staff_views.grid_report, name="grid"),
    path("patrol/", staff_views.patrol_report, name="patrol"),
    path("stats/", staff_views.statistics, name="stats"),
    path("photo/<int:pk>", staff_views.photo, name="photo"),
    path("<str:number>/", staff_views.order_detail, name="detail"),
    path("<str:number>/phone/", staff_views.reveal_phone, name="reveal_phone"),
    path("<str:number>/<str:move>/", staff_views.order_act, name="act"),
]
