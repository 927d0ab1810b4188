"""A model field that keeps personal data encrypted at rest (see tongban.core.pii)."""

from django.db import models

from tongban.core import pii


class EncryptedTextField(models.TextField):
    """Encrypts on save, decrypts on load. Not searchable: pair it with a blind-index column."""

    description = "AES-GCM encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return pii.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return pii.encrypt(value)
