"""A real Celery worker over Redis processes articles into PostgreSQL."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Article
from tests.conftest import wait_until

SAMPLE = Path(__file__).resolve().parent.parent / "claims/demo/venezuela-deportations.txt"

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_pasted_article_is_extracted_by_the_worker(celery_worker_process, editor, workspace):
    client = Client()
    client.force_login(editor)
    response = client.post(
        reverse("article_new", args=[workspace.slug]),
        {"source": "paste", "title": "Deportations", "body": SAMPLE.read_text()},
    )
    assert response.status_code == 302
    article = Article.objects.get()

    def finished():
        article.refresh_from_db()
        return article.extraction_status in ("done", "failed")

    wait_until(finished, timeout=60, message="the worker to extract the article")
    assert article.extraction_status == "done", article.extraction_error
    assert article.extraction_attempts == 1
    texts = list(article.claims.values_list("text", flat=True))
    assert any("7,200" in t for t in texts)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "hx-trigger" not in page
    assert page.count('class="claim-mark"') == len(texts)
