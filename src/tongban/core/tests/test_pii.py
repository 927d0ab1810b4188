import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tongban.accounts.models import CitizenProfile
from tongban.core import pii
from tongban.core.logging import RedactPersonalData, redact

NEW_KEY = "k2:" + "A" * 43


def _stored(column: str, table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_id_number_and_phone_are_encrypted_at_rest(citizen):
    profile = citizen.citizen
    stored_id = _stored("id_number", "accounts_citizenprofile", profile.pk)
    stored_phone = _stored("phone", "accounts_user", citizen.pk)
    assert profile.id_number not in stored_id and stored_id.startswith("k1:")
    assert citizen.phone not in stored_phone
    assert CitizenProfile.objects.get(pk=profile.pk).id_number == profile.id_number


@pytest.mark.django_db
def test_found_by_blind_index_not_by_plaintext(citizen):
    number = citizen.citizen.id_number
    assert CitizenProfile.objects.filter(id_index=pii.blind_index(number, "citizen_id")).exists()
    assert pii.blind_index(number, "citizen_id") != pii.blind_index(number, "phone")


def test_tampered_ciphertext_is_rejected():
    stored = pii.encrypt("41100219420815113X")
    body = stored.split(":", 1)[1]
    flipped = (
        stored.split(":", 1)[0] + ":" + body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    )
    with pytest.raises(pii.PersonalDataError):
        pii.decrypt(flipped)


def test_masks():
    assert pii.mask_id_number("11010519491231002X") == "110105********002X"
    assert pii.mask_phone("13812341234") == "138****1234"
    assert pii.mask_name("张三丰") == "张**"


@pytest.mark.django_db
def test_key_rotation_re_encrypts_everything_and_keeps_values(citizen, settings, capsys):
    number, phone = citizen.citizen.id_number, citizen.phone
    old_keys = settings.PII_KEYS
    with override_settings(PII_KEYS=f"{NEW_KEY},{old_keys}"):
        call_command("pii", "rotate")
        assert "重新加密" in capsys.readouterr().out
        assert _stored("id_number", "accounts_citizenprofile", citizen.citizen.pk).startswith("k2:")
        with override_settings(PII_KEYS=NEW_KEY):  # the old key can now be removed
            profile = CitizenProfile.objects.select_related("user").get(pk=citizen.citizen.pk)
            assert profile.id_number == number and profile.user.phone == phone


def test_log_records_never_carry_id_numbers_or_phones():
    assert redact("citizen 41100219420815113X phone 17000000001") == (
        "citizen 411002********113X phone 170****0001"
    )
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "lookup %s failed", ("41100219420815113X",), None
    )
    RedactPersonalData().filter(record)
    assert "19420815" not in record.getMessage()
