from django.urls import path

from tongban.cases import instant_views, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("supervision/", views.supervision, name="supervision"),
    path(
        "supervision/<uuid:public_id>/supervise/",
        views.supervise_from_list,
        name="supervise-from-list",
    ),
    path("instant/settings/", instant_views.settings_page, name="instant-settings"),
    path("instant/settings/<int:item_pk>/", instant_views.configure, name="instant-configure"),
    path("instant/checks/", instant_views.spot_checks, name="instant-checks"),
    path("instant/<uuid:public_id>/", instant_views.spot_check, name="instant-check"),
    path("instant/<uuid:public_id>/confirm/", instant_views.confirm, name="instant-confirm"),
    path("instant/<uuid:public_id>/revoke/", instant_views.revoke, name="instant-revoke"),
    path("<uuid:public_id>/", views.case_detail, name="detail"),
    path(
        "<uuid:public_id>/documents/<int:document_id>.pdf", views.document_download, name="document"
    ),
    path(
        "<uuid:public_id>/documents/correction-notice.pdf",
        views.document_download,
        name="correction_notice",
    ),
    path("<uuid:public_id>/supervision/<int:notice_id>/answer/", views.answer, name="answer"),
    path("<uuid:public_id>/<str:move>/", views.act, name="act"),
]
