from django.urls import path

from tongban.catalog import staff_views as views

app_name = "catalog_staff"

urlpatterns = [
    path("", views.item_list, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/new", views.new_item, name="new"),
    path("items/<int:pk>/edit", views.edit_draft, name="edit"),
    path("items/<int:pk>/preview", views.preview_guide, name="preview"),
    path("items/<int:pk>/materials", views.edit_materials, name="materials"),
    path("items/<int:pk>/situations", views.edit_situations, name="situations"),
    path("items/<int:pk>/publish", views.publish, name="publish"),
    path("items/<int:pk>/new-draft", views.new_draft, name="new-draft"),
    path("items/<int:pk>/withdraw", views.withdraw, name="withdraw"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_batch, name="import-batch"),
    path("export.xlsx", views.export, name="export"),
    path("statistics/", views.statistics_page, name="statistics"),
]
