"""SITE_URL defaults to the address `make run` serves, so links in invitations and e-mails
work out of the box; settings are read in a fresh interpreter, as in tests/test_settings.py."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_VARS = {"SITE_URL", "HOST", "PORT", "DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}


def site_url(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in _VARS}
    code = (
        "import django; from django.conf import settings; django.setup(); print(settings.SITE_URL)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "factcheck.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "9123"}, "http://127.0.0.1:9123"),
        ({"HOST": "desk.test", "PORT": "8001"}, "http://desk.test:8001"),
        # Listening everywhere: the browser on this machine uses the loopback address.
        ({"HOST": "0.0.0.0", "PORT": "8080"}, "http://127.0.0.1:8080"),  # noqa: S104
        ({"HOST": "::1"}, "http://[::1]:8000"),
        # Set, SITE_URL wins (and a trailing slash goes).
        ({"SITE_URL": "https://checks.example.org/", "PORT": "9123"}, "https://checks.example.org"),
    ],
)
def test_site_url_follows_the_served_address_unless_set(env, expected):
    result = site_url(**env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    ("env", "named"), [({"PORT": "eighty"}, "PORT"), ({"HOST": "a b"}, "HOST")]
)
def test_a_bad_host_or_port_fails_at_start_naming_it(env, named):
    result = site_url(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_hands_its_host_and_port_to_the_app(tmp_path):
    """`make run PORT=...` starts the server there and the settings see the same address.

    A stand-in interpreter records how it is called instead of migrating and serving."""
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".installed").touch()  # newer than requirements.txt: nothing to install
    log = tmp_path / "calls.log"
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\necho "$* HOST=$HOST PORT=$PORT" >> {log}\n')
    python.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in _VARS | {"MAKEFLAGS"}}
    result = subprocess.run(
        ["make", "--no-print-directory", "run", f"VENV={venv}", f"PY={python}", "PORT=9123"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert "manage.py runserver 127.0.0.1:9123 HOST=127.0.0.1 PORT=9123" in calls
