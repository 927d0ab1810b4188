from django.urls import path, re_path
from oauth2_provider import views as oauth_views

from tongban.identity import views

# The authorisation server, namespace "oauth2_provider" (mounted at /o/).
oauth_patterns = [
    path("authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", views.IntrospectTokenView.as_view(), name="introspect"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        views.DiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", views.jwks_view, name="jwks-info"),
    path("userinfo/", oauth_views.UserInfoView.as_view(), name="user-info"),
    path("logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
]

app_name = "identity"
# People's pages (mounted at /account/).
urlpatterns = [
    path("sms-login/", views.sms_login_view, name="sms-login"),
    path("recover/", views.recover_view, name="recover"),
    path("security/", views.security_view, name="security"),
    path("security/consents/<int:pk>/revoke/", views.revoke_consent_view, name="revoke-consent"),
    path("security/sessions/<str:sid>/end/", views.end_session_view, name="end-session"),
    path("realname/", views.realname_view, name="realname"),
]
