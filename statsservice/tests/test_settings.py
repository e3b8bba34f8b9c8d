"""`manage.py check --deploy` is clean with the documented production environment."""

from __future__ import annotations

import os
import secrets
import subprocess

from statsservice.testing.live import manage

# The production variables the README documents (behind a TLS-terminating proxy).
PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "stats.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://stats.example.org",
    "SECURE_PROXY_SSL_HEADER": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_COOKIES": "1",
}


def run_check(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_"))}
    env.update({"SECRET_KEY": secrets.token_urlsafe(50), **extra})
    # A production host with cron (without, `check --deploy` says so: sharing/tests/test_cron.py).
    env.setdefault("CRONTAB_EXECUTABLE", "true")
    return manage(env, "check", "--deploy", "--fail-level", "WARNING", check=False, timeout=120)


def test_check_deploy_is_clean_with_the_production_settings():
    result = run_check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_a_plain_http_production_setup():
    # The reverse: without the TLS switches, the check does warn (so the test above means it).
    result = run_check({"DEBUG": "0", "ALLOWED_HOSTS": "stats.example.org"})
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_the_service_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DEBUG"] = "0"
    result = manage(env, "check", check=False, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
