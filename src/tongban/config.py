"""Reading TONGBAN_* environment variables, and the embedded mode's generated secrets.

Embedded mode (the default, for `make run` and tests) generates its secret key and personal-data keys
once into the data directory, so no two installations share a key. Production mode takes every secret
from the environment and refuses to start without them.
"""

import base64
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "TONGBAN_"


def env(name: str, default: str = "") -> str:
    return os.environ.get(PREFIX + name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = env(name)
    if not raw:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = env(name)
    try:
        return int(raw) if raw else default
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{PREFIX}{name} 必须是整数 (must be an integer): {raw!r}"
        ) from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env(name)
    return [part.strip() for part in raw.split(",") if part.strip()] if raw else default


def _new_aes_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def embedded_secrets(data_dir: Path) -> dict:
    """Secrets for embedded mode, generated on first use and kept (0600) in the data directory."""
    path = data_dir / "embedded-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {
        "secret_key": secrets.token_urlsafe(50),
        "pii_keys": f"k1:{_new_aes_key()}",
        "pii_index_key": _new_aes_key(),
        "sms_webhook_secret": secrets.token_urlsafe(24),
    }
    # Two processes may start at once (web, worker): write atomically, first writer wins.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(values))
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return json.loads(path.read_text())


def production_secret(name: str, *, min_length: int) -> str:
    value = env(name)
    if len(value) < min_length:
        raise ImproperlyConfigured(
            f"生产模式必须设置 {PREFIX}{name}（至少 {min_length} 个字符），拒绝使用默认值启动。"
            f" Production mode needs {PREFIX}{name} (at least {min_length} characters);"
            " refusing to start with a default."
        )
    return value
