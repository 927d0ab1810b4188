import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from tongban.applications import actions
from tongban.applications.models import UploadedFile
from tongban.applications.tasks import sweep_orphan_files
from tongban.testing.factories import pdf_bytes

pytestmark = pytest.mark.django_db


def test_files_of_rolled_back_uploads_are_removed_and_kept_files_stay(citizen, published_item):
    application = actions.start_application(
        owner=citizen, service_item=published_item, channel="pc"
    )
    material = actions.required_materials(application)[0]

    def upload():
        return actions.attach_file(
            application=application,
            actor=citizen,
            material_id=material.pk,
            uploaded=SimpleUploadedFile("申请书.pdf", pdf_bytes()),
        )

    kept = upload()
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = upload()
        raise RuntimeError("a later step of the same request fails")
    storage = kept.file.storage
    assert storage.exists(lost.file.name) and not UploadedFile.objects.filter(pk=lost.pk).exists()

    assert sweep_orphan_files(timezone.now()) == 0  # too recent: its transaction may still commit
    later = timezone.now() + datetime.timedelta(hours=2)
    assert sweep_orphan_files(later) == 1
    assert not storage.exists(lost.file.name)
    assert storage.exists(kept.file.name)
    assert sweep_orphan_files(later) == 0
