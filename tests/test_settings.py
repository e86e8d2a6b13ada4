"""Settings come from the environment; a bad value stops the process with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 20 + "production-secret-key-for-tests-only-0123456789"


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly these variables set."""
    base = {k: v for k, v in os.environ.items() if k not in _VARS}
    base.update(env)
    code = (
        "import django, json; from django.conf import settings; django.setup();"
        "print(json.dumps({'debug': settings.DEBUG, 'engine': settings.DATABASES['default']"
        "['ENGINE'], 'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'hosts': settings.ALLOWED_HOSTS,"
        "'email': settings.EMAIL_BACKEND, 'hsts': getattr(settings, 'SECURE_HSTS_SECONDS', 0)}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "factcheck.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


_VARS = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_HOST",
    "UPLOAD_MAX_MB",
    "LOG_LEVEL",
    "AXES_FAILURE_LIMIT",
}


def test_embedded_default_is_sqlite_with_tasks_in_process():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.sqlite3"' in result.stdout
    assert '"eager": true' in result.stdout
    assert '"debug": true' in result.stdout
    assert "console.EmailBackend" in result.stdout


def test_database_and_redis_urls_switch_to_postgres_and_a_real_worker():
    result = load_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/anything",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.postgresql"' in result.stdout
    assert '"eager": false' in result.stdout


def test_production_values_turn_on_hsts_for_a_year():
    result = load_settings(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="desk.example.org")
    assert result.returncode == 0, result.stderr
    assert '"hsts": 31536000' in result.stdout
    assert '"hosts": ["desk.example.org"]' in result.stdout


def test_smtp_is_used_when_email_host_is_set():
    result = load_settings(EMAIL_HOST="smtp.example.org")
    assert result.returncode == 0, result.stderr
    assert "smtp.EmailBackend" in result.stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DATABASE_URL": "mysql://root@localhost/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"ALLOWED_HOSTS": "a.example.org, b example.org"}, "ALLOWED_HOSTS"),
        ({"UPLOAD_MAX_MB": "ten"}, "UPLOAD_MAX_MB"),
        ({"UPLOAD_MAX_MB": "0"}, "UPLOAD_MAX_MB"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"AXES_FAILURE_LIMIT": "-1"}, "AXES_FAILURE_LIMIT"),
    ],
)
def test_bad_values_fail_at_start_naming_the_variable(env, named):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert named in last_line


def test_check_deploy_passes_with_production_values():
    env = {k: v for k, v in os.environ.items() if k not in _VARS}
    env.update(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="desk.example.org")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
