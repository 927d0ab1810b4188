from django.urls import path

from tongban.workorders import views

app_name = "workorders"

urlpatterns = [
    path("report/", views.report, name="report"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:number>/", views.mine_detail, name="mine_detail"),
]
