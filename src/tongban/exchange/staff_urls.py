from django.urls import path

from tongban.exchange import staff_views as views

app_name = "exchange_staff"

urlpatterns = [
    path("", views.resource_list, name="resources"),
    path("resources/<int:pk>/", views.resource_detail, name="resource"),
    path("resources/<int:pk>/edit", views.edit_draft, name="edit"),
    path("resources/<int:pk>/items/new", views.item_new, name="item-new"),
    path("resources/<int:pk>/items/<int:item_pk>/edit", views.item_edit, name="item-edit"),
    path("resources/<int:pk>/items/<int:item_pk>/remove", views.item_remove, name="item-remove"),
    path("resources/<int:pk>/new-draft", views.new_draft, name="new-draft"),
    path("resources/<int:pk>/publish", views.publish, name="publish"),
    path("resources/<int:pk>/withdraw", views.withdraw, name="withdraw"),
    path("resources/<int:pk>/request", views.new_request, name="new-request"),
    path("export.xlsx", views.export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/approve", views.approve, name="approve"),
    path("requests/<int:pk>/refuse", views.refuse, name="refuse"),
    path("grants/", views.grant_list, name="grants"),
    path("grants/<int:pk>/revoke", views.revoke, name="revoke"),
    path("consumers/", views.consumer_list, name="consumers"),
    path("consumers/new", views.consumer_new, name="consumer-new"),
    path("consumers/<int:pk>/rotate", views.consumer_rotate, name="consumer-rotate"),
    path("loads/", views.load_list, name="loads"),
    path("statistics/", views.statistics_page, name="statistics"),
]
