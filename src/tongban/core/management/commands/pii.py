"""`tongban pii rotate`: re-encrypt every protected value with the current key.

Rotation: put a new key first in TONGBAN_PII_KEYS (keep the old ones after it), restart, run this,
then remove the old keys. `tongban pii status` shows how many values each key still protects.
"""

from collections import Counter

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from tongban.core import audit, pii
from tongban.core.audit_actions import PiiAction
from tongban.core.fields import EncryptedTextField

BATCH = 500


def encrypted_fields():
    for model in apps.get_models():
        names = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


def raw_values(model, name):
    """(pk, stored ciphertext) without decrypting, to see which key protects each value."""
    table, column = model._meta.db_table, model._meta.get_field(name).column
    pk = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608
            f"WHERE {quote(column)} <> ''"
        )
        yield from cursor.fetchall()


class Command(BaseCommand):
    help = "个人信息加密：status 查看密钥使用情况；rotate 用当前密钥重新加密"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "rotate"])

    def handle(self, *args, **options):
        current = pii.current_key_id()
        if options["action"] == "status":
            counts = Counter()
            for model, names in encrypted_fields():
                for name in names:
                    counts.update(pii.key_id_of(value) for _pk, value in raw_values(model, name))
            for key_id, count in sorted(counts.items()):
                marker = "（当前）" if key_id == current else ""
                self.stdout.write(f"密钥 {key_id}{marker}: {count} 个值")
            return
        rotated = 0
        for model, names in encrypted_fields():
            for name in names:
                stale = [
                    pk for pk, value in raw_values(model, name) if pii.key_id_of(value) != current
                ]
                for start in range(0, len(stale), BATCH):
                    with transaction.atomic():
                        for obj in model.objects.select_for_update().filter(
                            pk__in=stale[start : start + BATCH]
                        ):
                            obj.save(
                                update_fields=[name]
                            )  # decrypts with the old key, writes with the new
                            rotated += 1
        with transaction.atomic():
            audit.record(PiiAction.ROTATE, detail={"current_key": current, "rotated": rotated})
        self.stdout.write(self.style.SUCCESS(f"已用密钥 {current} 重新加密 {rotated} 个值"))
