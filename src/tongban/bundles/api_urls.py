from django.urls import path

from tongban.bundles import api

urlpatterns = [
    path("", api.BundleListView.as_view(), name="bundles-list"),
    path("mine/", api.MyBundlesView.as_view(), name="bundles-mine"),
    path("mine/<uuid:public_id>/", api.BundleStatusView.as_view(), name="bundles-status"),
    path(
        "mine/<uuid:public_id>/correction/",
        api.BundleCorrectionView.as_view(),
        name="bundles-correction",
    ),
    path("<slug:code>/", api.BundleGuideView.as_view(), name="bundles-guide"),
    path("<slug:code>/submit/", api.BundleSubmitView.as_view(), name="bundles-submit"),
]
