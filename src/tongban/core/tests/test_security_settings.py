"""Production settings pass Django's own security deployment checks (docs/security.md, ASVS V3 and V14):
HSTS for a year with sub-domains, HTTPS redirect, secure __Host- cookies, no debug."""

import os
import re
import subprocess
import sys

PRODUCTION = {
    "TONGBAN_MODE": "production",
    "TONGBAN_SECRET_KEY": "k3#Vq9!xZ" * 7,
    "TONGBAN_PII_KEYS": "p1:" + "B" * 43,
    "TONGBAN_PII_INDEX_KEY": "C" * 43,
    "TONGBAN_SMS_WEBHOOK_SECRET": "d" * 20,
    "TONGBAN_ALLOWED_HOSTS": "gov.example",
}
SHOW = (
    "from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
    "s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_NAME, s.CSRF_COOKIE_SECURE, "
    "s.DEBUG, 'upgrade-insecure-requests' in s.CONTENT_SECURITY_POLICY['DIRECTIVES'])"
)


def _manage(tmp_path, *args, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    env.update({"TONGBAN_DATA_DIR": str(tmp_path), **PRODUCTION, **extra})
    return subprocess.run(  # noqa: S603 - this interpreter with fixed arguments
        [sys.executable, "-m", "tongban.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_passes_the_deployment_checks(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--tag", "security")
    assert result.returncode == 0, result.stderr
    # Django's own: all met but the HSTS preload list (W021), a choice of the deployment
    # (TONGBAN_HSTS_PRELOAD). django-oauth-toolkit's RFC 9700 warnings are listed as not yet met
    # in docs/security.md.
    raised = set(re.findall(r"\((security\.[WE]\d+)\)", result.stderr + result.stdout))
    assert raised <= {"security.W021"}, result.stderr


def test_production_turns_on_hsts_https_and_host_only_secure_cookies(tmp_path):
    shown = _manage(tmp_path, "shell", "--no-imports", "-c", SHOW).stdout.split()
    assert shown == [
        "31536000",
        "True",
        "True",
        "__Host-sessionid",
        "True",
        "__Host-csrftoken",
        "True",
        "False",
        "True",
    ]


def test_the_embedded_default_keeps_plain_http_for_the_local_machine(tmp_path):
    shown = _manage(
        tmp_path, "shell", "--no-imports", "-c", SHOW, TONGBAN_MODE="embedded"
    ).stdout.split()
    assert shown[3] == "sessionid" and shown[4] == "False"
