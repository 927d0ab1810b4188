from django.urls import path

from tongban.licences import api

urlpatterns = [
    path("verify", api.VerifyView.as_view(), name="licences-verify"),
    path("lookup", api.LookupView.as_view(), name="licences-lookup"),
    path("issue", api.IssueView.as_view(), name="licences-issue"),
    path("revoke", api.RevokeView.as_view(), name="licences-revoke"),
    path("cancel", api.CancelView.as_view(), name="licences-cancel"),
]
