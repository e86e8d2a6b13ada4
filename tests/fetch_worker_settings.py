"""Settings for worker processes that tests start to fetch from their own server on 127.0.0.1.

FETCH_ALLOW_PRIVATE_ADDRESSES is never read from the environment (production must not turn
it on), so such workers get it from this module: DJANGO_SETTINGS_MODULE=tests.fetch_worker_settings.
"""

from factcheck.settings import *  # noqa: F403

FETCH_ALLOW_PRIVATE_ADDRESSES = True
