from django.urls import path

from tongban.policies import views

app_name = "policies"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/confirm", views.confirm, name="confirm"),
    path("<int:pk>/account", views.account, name="account"),
    path("policy/<int:pk>/", views.policy, name="policy"),
    path("policy/<int:pk>/objection", views.objection, name="objection"),
]
