"""Fixtures for the security suite: the harmless render every hostile one is compared with."""

import pytest
from django.db import transaction

from tests.security.world import build_world, render_everything

HARMLESS = "Plain words 42"

_harmless_render = {}


@pytest.fixture
def harmless(db):
    """Every page of a world filled with harmless text, by name.

    Rendered once per test process and kept, since it is the same every time; built in a
    savepoint that is rolled back, so the test using it starts from an empty database.
    (A session-scoped fixture would be simpler, but could run before pytest-django has
    switched to the test database.)
    """
    if not _harmless_render:
        with transaction.atomic():
            _harmless_render.update(render_everything(build_world(HARMLESS)))
            transaction.set_rollback(True)
    return _harmless_render
