import os
import subprocess
import sys

import pytest


@pytest.mark.django_db
def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.content
    assert set(ready.json()["checks"]) == {"database", "cache", "broker"}


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def _start(env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    env.update({"TONGBAN_DATA_DIR": str(tmp_path), **env_overrides})
    return subprocess.run(
        [sys.executable, "-m", "tongban.manage", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_mode_refuses_default_secrets(tmp_path):
    result = _start({"TONGBAN_MODE": "production"}, tmp_path)
    assert result.returncode != 0
    assert "生产模式必须设置 TONGBAN_SECRET_KEY" in result.stderr


def test_production_mode_starts_with_secrets_set(tmp_path):
    result = _start(
        {
            "TONGBAN_MODE": "production",
            "TONGBAN_SECRET_KEY": "s" * 60,
            "TONGBAN_PII_KEYS": "p1:" + "B" * 43,
            "TONGBAN_PII_INDEX_KEY": "C" * 43,
            "TONGBAN_SMS_WEBHOOK_SECRET": "d" * 20,
            "TONGBAN_ALLOWED_HOSTS": "gov.example",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr


def test_embedded_mode_generates_private_secrets_once(tmp_path):
    from tongban.config import embedded_secrets

    first = embedded_secrets(tmp_path)
    assert embedded_secrets(tmp_path) == first
    assert oct((tmp_path / "embedded-secrets.json").stat().st_mode)[-3:] == "600"
