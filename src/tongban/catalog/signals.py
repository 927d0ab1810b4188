"""Reference data that the public catalogue pages show (department and region names, service
halls, basic item codes) is edited in the admin, outside the catalogue's service layer: a change
renews the catalogue generation, so the cached pages and the search index follow it."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tongban.catalog import actions
from tongban.catalog.models import BasicItem
from tongban.core.models import Department, Region, ServiceHall


@receiver([post_save, post_delete], sender=Department)
@receiver([post_save, post_delete], sender=Region)
@receiver([post_save, post_delete], sender=ServiceHall)
@receiver([post_save, post_delete], sender=BasicItem)
def reference_data_changed(**kwargs):
    actions.catalogue_changed()
