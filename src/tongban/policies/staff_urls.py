from django.urls import path

from tongban.policies import staff_views as views

app_name = "policies_staff"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("runs", views.start_run, name="run"),
    path("new", views.new_policy, name="new"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/dry-run", views.dry_run, name="dry-run"),
    path("<int:pk>/edit", views.edit, name="edit"),
    path("<int:pk>/matches.csv", views.matches_csv, name="matches-csv"),
    path("<int:pk>/batches", views.prepare_batch, name="prepare-batch"),
    path("<int:pk>/publish", views.move, {"action": "publish"}, name="publish"),
    path("<int:pk>/suspend", views.move, {"action": "suspend"}, name="suspend"),
    path("<int:pk>/expire", views.move, {"action": "expire"}, name="expire"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/export.csv", views.export, {"kind": "csv"}, name="export-csv"),
    path("batches/<int:pk>/export.xlsx", views.export, {"kind": "xlsx"}, name="export-xlsx"),
    path("batches/<int:pk>/cover.pdf", views.export, {"kind": "pdf"}, name="cover"),
    path("batches/<int:pk>/reconcile", views.reconcile, name="reconcile"),
    path("lines/<int:pk>/correct", views.correct, name="correct"),
    path("objections/<int:pk>/answer", views.answer, name="answer"),
]
