"""The Celery application.

Configuration comes from Django settings under the CELERY_ namespace (see settings.py): JSON only,
late acknowledgement so a killed worker's task is redelivered, prefetch of one. Without REDIS_URL
tasks run eagerly in the calling process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
