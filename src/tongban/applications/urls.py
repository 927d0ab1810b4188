from django.urls import path

from tongban.applications import (
    commitment_views,
    licence_views,
    recognition_views,
    shared_data,
    views,
)

app_name = "applications"

urlpatterns = [
    path("apply/<str:code>/", views.start, name="start"),
    path("my/cases/", views.mine, name="mine"),
    path("my/cases/<uuid:public_id>/", views.draft, name="draft"),
    path("my/cases/<uuid:public_id>/sections/<int:section>/", views.save, name="save"),
    path("my/cases/<uuid:public_id>/materials/", views.upload, name="upload"),
    path("my/cases/<uuid:public_id>/files/<int:file_id>/", views.download_file, name="file"),
    path(
        "my/cases/<uuid:public_id>/files/<int:file_id>/delete/",
        views.remove_file,
        name="remove-file",
    ),
    path(
        "my/cases/<uuid:public_id>/commitments/<int:material_id>/",
        commitment_views.sign,
        name="commit",
    ),
    path(
        "my/cases/<uuid:public_id>/commitments/<int:material_id>/withdraw/",
        commitment_views.withdraw,
        name="withdraw-commitment",
    ),
    path(
        "my/cases/<uuid:public_id>/deferred/<int:material_id>/",
        commitment_views.supply,
        name="supply-deferred",
    ),
    path(
        "my/cases/<uuid:public_id>/licences/<int:material_id>/",
        licence_views.use_material,
        name="use-licence",
    ),
    path(
        "my/cases/<uuid:public_id>/licences/<int:material_id>/withdraw/",
        licence_views.release_material,
        name="release-licence",
    ),
    path(
        "my/cases/<uuid:public_id>/shared-data/<int:material_id>/",
        shared_data.use,
        name="use-shared-data",
    ),
    path(
        "my/cases/<uuid:public_id>/shared-data/<int:material_id>/release/",
        shared_data.release,
        name="release-shared-data",
    ),
    path(
        "my/cases/<uuid:public_id>/recognitions/<uuid:recognition_id>/",
        recognition_views.recognition,
        name="recognition",
    ),
    path("my/cases/<uuid:public_id>/submit/", views.submit, name="submit"),
    path("my/cases/<uuid:public_id>/submitted/", views.submitted, name="submitted"),
    path("my/cases/<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
    path("my/cases/<uuid:public_id>/discard/", views.discard, name="discard"),
    path("my/cases/<uuid:public_id>/receipt.pdf", views.receipt, name="receipt"),
    path("progress/", views.progress, name="progress"),
]
