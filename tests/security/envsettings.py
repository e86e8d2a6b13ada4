"""The settings factcheck/settings.py computes for a given environment, to test with them.

Several settings exist only in some environments (HSTS and secure cookies when DEBUG=0, the
proxy settings when TRUSTED_PROXY_COUNT>0). Tests take them from the settings module itself,
run under that environment, rather than restating them, so they follow the module if it
changes how it derives them.
"""

import os
import runpy
from pathlib import Path
from unittest import mock

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "factcheck" / "settings.py"

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "s" * 20 + "production-secret-key-for-security-tests-0123456789",
    "ALLOWED_HOSTS": "desk.example.org",
}


def computed_settings(*, prefixes: tuple[str, ...], **env: str) -> dict:
    """Settings whose names start with one of `prefixes`, as computed under `env`."""
    with mock.patch.dict(os.environ, env):
        module = runpy.run_path(str(SETTINGS_FILE))
    return {name: value for name, value in module.items() if name.startswith(prefixes)}
