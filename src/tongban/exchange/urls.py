from django.urls import path

from tongban.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.data_use, name="data-use"),
]
