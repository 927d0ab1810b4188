from django.urls import path

from tongban.licences import staff_views

app_name = "licences_staff"

urlpatterns = [
    path("", staff_views.register, name="list"),
    path("<int:pk>/", staff_views.manage, name="detail"),
    path("<int:pk>/revoke/", staff_views.revoke, name="revoke"),
    path("<int:pk>/cancel/", staff_views.cancel, name="cancel"),
]
