from django.urls import path

from tongban.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("terms/", views.terms_view, name="terms"),
    path("privacy/", views.privacy_view, name="privacy"),
    path("me/", views.profile_view, name="profile"),
    path("agents/", views.agents_view, name="agents"),
    path("agents/<int:pk>/revoke/", views.revoke_agent_view, name="revoke-agent"),
]
