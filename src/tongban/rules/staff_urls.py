from django.urls import path

from tongban.rules import staff_views as views

app_name = "rules_staff"

urlpatterns = [
    path("", views.rule_set_list, name="list"),
    path("new", views.new_rule_set, name="new"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/edit", views.edit_draft, name="edit"),
    path("versions/<int:pk>/tests", views.test_cases, name="tests"),
    path(
        "versions/<int:pk>/tests/<int:case_pk>/remove", views.remove_test_case, name="remove-test"
    ),
    path("versions/<int:pk>/publish", views.publish, name="publish"),
    path("versions/<int:pk>/new-draft", views.new_draft, name="new-draft"),
    path("versions/<int:pk>/withdraw", views.withdraw, name="withdraw"),
]
