"""On PostgreSQL a query a connection runs again is a prepared statement, parsed and planned once;
TONGBAN_DB_PREPARED_STATEMENTS=0 turns that off for poolers that cannot keep them."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from tongban.accounts.models import User

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def _prepared_here() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@on_postgres
@pytest.mark.django_db
def test_a_repeated_query_is_prepared_and_answers_with_each_runs_values():
    User.objects.create_user(login_name="prep-a", password=None, display_name="甲")
    User.objects.create_user(login_name="prep-b", password=None, display_name="乙")
    lookup = '"accounts_user"."login_name" = $1'
    assert not any(lookup in statement for statement in _prepared_here())
    names = [
        User.objects.get(login_name=login).display_name for login in ("prep-a", "prep-b", "prep-a")
    ]
    # Same text, different parameters: one prepared statement, each run with its own values.
    assert names == ["甲", "乙", "甲"]
    assert any(lookup in statement for statement in _prepared_here())


PRINT_OPTIONS = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
from django.conf import settings
print(json.dumps(settings.DATABASES["default"].get("OPTIONS", {})))
"""


def _database_options(**env_overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    env.update(TONGBAN_DATABASE_URL="postgresql://tongban@db.example:5432/tongban", **env_overrides)
    result = subprocess.run(  # noqa: S603 (this interpreter, a constant script)
        [sys.executable, "-c", PRINT_OPTIONS], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_prepared_statements_are_on_for_postgresql_unless_turned_off():
    assert _database_options() == {"server_side_binding": True, "prepare_threshold": 2}
    assert _database_options(TONGBAN_DB_PREPARED_STATEMENTS="0") == {}
