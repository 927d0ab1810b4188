from django.urls import path

from tongban.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("my/", views.my, name="my"),
    path("elderly-mode", views.toggle_elderly_mode, name="elderly-mode"),
]
