from django.urls import path

from tongban.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("supervision/", views.supervision, name="supervision"),
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
