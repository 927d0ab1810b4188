import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tongban.accounts.models import User

CJK = re.compile(r"[\u4e00-\u9fff]")


def _platform_models():
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("tongban") and not m._meta.auto_created
    ]


def test_every_model_is_in_the_admin_with_a_chinese_name():
    missing = [m._meta.label for m in _platform_models() if not admin.site.is_registered(m)]
    assert missing == []
    english = [
        m._meta.label for m in _platform_models() if not CJK.search(str(m._meta.verbose_name))
    ]
    assert english == []


@pytest.mark.django_db
def test_every_admin_list_opens_for_a_platform_administrator(client):
    root = User.objects.create_superuser("rootadmin", "Tongban2026")
    client.force_login(root)
    failures = []
    for model in _platform_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        if response.status_code != 200:
            failures.append((url, response.status_code))
    assert failures == []
    assert "平台管理" in client.get(reverse("admin:index")).content.decode()
