"""Handing over an article: paste, upload or URL; bad input gets a clear message."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.ingest import files, sandbox
from claims.models import Activity, Article, ArticleUpload
from tests.factories import ArticleFactory

# Tasks run here, as in the embedded default: these tests check what the task does.
pytestmark = [pytest.mark.usefixtures("eager_tasks")]

SAMPLE = (
    "The city council approved a budget of $4.2 billion on Tuesday.\n\n"
    "Officials said crime fell by 12 percent last year."
)


def url(workspace, source=None):
    base = reverse("article_new", args=[workspace.slug])
    return f"{base}?source={source}" if source else base


def paste(client, workspace, **fields):
    data = {"source": "paste", "title": "Budget vote", "body": SAMPLE, **fields}
    return client.post(url(workspace), data)


@pytest.mark.parametrize("source", ["paste", "upload", "url"])
def test_each_form_renders(reviewer_client, workspace, source):
    response = reviewer_client.get(url(workspace, source))
    assert response.status_code == 200
    assert f'name="source" value="{source}"'.encode() in response.content


def test_unknown_source_is_a_bad_request(reviewer_client, workspace):
    assert reviewer_client.get(url(workspace, "fax")).status_code == 400


def test_htmx_tab_switch_returns_only_the_form_and_its_tabs(reviewer_client, workspace):
    response = reviewer_client.get(url(workspace, "url"), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="ingest-form"')
    assert "<html" not in page
    # The tabs come along, the one for the form shown highlighted.
    assert 'href="?source=url" hx-get="?source=url"' in page
    current = page.split('aria-current="page"')[0].rsplit("<a ", 1)[1]
    assert 'href="?source=url"' in current


def test_paste_creates_article_and_queues_extraction(
    reviewer_client, reviewer, workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = paste(reviewer_client, workspace, outlet="City Times", author="J. Doe")
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert article.body == SAMPLE
    assert (article.title, article.outlet, article.author) == (
        "Budget vote",
        "City Times",
        "J. Doe",
    )
    assert article.origin == Article.Origin.PASTED
    assert article.submitted_by == reviewer
    assert article.extraction_status == Article.Status.QUEUED
    assert len(callbacks) == 1  # the extraction task, sent after commit
    assert Activity.objects.filter(verb="article_submitted", article=article).exists()


def test_paste_over_htmx_redirects_the_browser(reviewer_client, workspace):
    response = reviewer_client.post(
        url(workspace),
        {"source": "paste", "body": SAMPLE},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == Article.objects.get().get_absolute_url()


def test_pasted_text_is_normalised(reviewer_client, workspace):
    paste(
        reviewer_client, workspace, body="  First line.\r\nSecond\x00 line.\r\n\r\n\r\n\r\nEnd.  "
    )
    assert Article.objects.get().body == "First line.\nSecond line.\n\nEnd."


@pytest.mark.parametrize("body", ["", "   \n\t  ", "\x00\x01\x02"])
def test_empty_paste_is_refused_and_nothing_is_saved(reviewer_client, workspace, body):
    response = paste(reviewer_client, workspace, body=body)
    assert response.status_code == 200
    assert b'class="error"' in response.content or b"form-errors" in response.content
    assert not Article.objects.exists()


def test_htmx_errors_come_back_as_the_form_with_input_kept(reviewer_client, workspace):
    response = reviewer_client.post(
        url(workspace),
        {"source": "paste", "body": "", "title": "Keep me"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "This field is required" in page
    assert 'value="Keep me"' in page
    assert "<html" not in page


def test_huge_paste_is_refused(reviewer_client, workspace):
    response = paste(reviewer_client, workspace, body="word " * 300_000)
    assert response.status_code == 200
    assert not Article.objects.exists()
    assert b"too long" in response.content.lower() or b"at most" in response.content


def test_same_text_points_to_the_existing_article(reviewer_client, workspace):
    existing = ArticleFactory(workspace=workspace, body=SAMPLE, title="First copy")
    response = paste(reviewer_client, workspace, body=SAMPLE.upper() + "  ")
    page = response.content.decode()
    assert "already has an article with the same text" in page
    assert f'<a href="{existing.get_absolute_url()}">First copy</a>' in page
    assert Article.objects.count() == 1


def test_same_text_in_another_workspace_is_fine(reviewer_client, workspace, other_workspace):
    ArticleFactory(workspace=other_workspace, body=SAMPLE)
    assert paste(reviewer_client, workspace).status_code == 302
    assert workspace.articles.count() == 1


def test_markup_in_pasted_fields_is_stored_as_text_and_shown_escaped(reviewer_client, workspace):
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)> <a hx-get="/admin/">x</a>'
    paste(reviewer_client, workspace, title=evil, body=f"{evil}\nThe tax rose 5 percent.")
    article = Article.objects.get()
    assert article.body.startswith("<script>")
    page = reviewer_client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert '<a hx-get="/admin/">' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_source_url_must_be_http(reviewer_client, workspace):
    response = paste(reviewer_client, workspace, source_url="javascript:alert(1)")
    assert response.status_code == 200
    assert not Article.objects.exists()


def upload(client, workspace, name, content, **fields):
    file = SimpleUploadedFile(name, content)
    return client.post(url(workspace), {"source": "upload", "file": file, **fields})


def make_docx(*paragraphs, title="", author="") -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.core_properties.title = title
    document.core_properties.author = author
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def parses(monkeypatch):
    """Every parse of an uploaded file, in the sandbox or not; the real parser still runs."""
    calls = []
    real_sandboxed, real_direct = sandbox.extract_file_sandboxed, files.extract_file

    def sandboxed(data, filename, **kwargs):
        calls.append(filename)
        return real_sandboxed(data, filename, **kwargs)

    def direct(data, filename, **kwargs):
        calls.append(filename)
        return real_direct(data, filename, **kwargs)

    monkeypatch.setattr(sandbox, "extract_file_sandboxed", sandboxed)
    monkeypatch.setattr(files, "extract_file", direct)
    return calls


def test_upload_answers_at_once_and_the_worker_parses_it(
    reviewer_client, reviewer, workspace, parses, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(reviewer_client, workspace, "story.txt", SAMPLE.encode(), title="Budget")
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    # The request stored the file and nothing else: no parse, no text yet.
    assert parses == []
    assert (article.body, article.extraction_status) == ("", Article.Status.QUEUED)
    assert (article.origin, article.original_filename, article.title) == (
        Article.Origin.UPLOAD,
        "story.txt",
        "Budget",
    )
    assert article.submitted_by == reviewer
    stored = ArticleUpload.objects.get(article=article)
    assert (bytes(stored.data), stored.filename) == (SAMPLE.encode(), "story.txt")
    assert stored.details["title"] == "Budget"
    # Meanwhile the article page shows the same progress as a URL article.
    page = reviewer_client.get(article.get_absolute_url()).content.decode()
    assert "Waiting for a worker" in page and 'hx-trigger="every 2s"' in page

    assert len(callbacks) == 1
    callbacks[0]()  # the extraction task, in the worker
    article.refresh_from_db()
    assert parses == ["story.txt"]
    assert (article.body, article.extraction_status) == (SAMPLE, Article.Status.DONE)
    assert article.claims.exists()
    assert not ArticleUpload.objects.exists()  # the file goes once its text is stored


def test_upload_docx_details_typed_win_over_the_files_own(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    data = make_docx("Crime fell 12 percent.", "End.", title="File title", author="File author")
    with django_capture_on_commit_callbacks(execute=True):
        upload(reviewer_client, workspace, "story.docx", data, title="Typed title")
    article = Article.objects.get()
    assert article.body == "Crime fell 12 percent.\nEnd."
    assert (article.title, article.author) == ("Typed title", "File author")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", b"empty"),
        ("program.exe", b"MZ\x90\x00", b"can&#x27;t be read"),
        ("noextension", b"Words.", b"Files without an extension"),
    ],
)
def test_what_costs_nothing_to_check_is_refused_in_the_request(
    reviewer_client, workspace, name, content, message
):
    response = upload(reviewer_client, workspace, name, content)
    assert response.status_code == 200, response
    assert not Article.objects.exists()
    assert not ArticleUpload.objects.exists()
    assert message in response.content
    assert b'class="error"' in response.content or b"form-errors" in response.content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "not text"),
        ("fake.pdf", b"just some text, not a pdf", "PDF"),
        ("fake.docx", b"plain words", "Word"),
        ("latin.txt", "Caf\u00e9 prices rose 4 percent.".encode("utf-16-le"), "binary"),
    ],
)
def test_unreadable_files_fail_in_the_worker_with_a_reason_and_retry(
    reviewer_client, workspace, name, content, message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(reviewer_client, workspace, name, content)
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.extraction_status == Article.Status.FAILED
    assert message in article.extraction_error
    page = reviewer_client.get(article.get_absolute_url()).content.decode()
    assert "Extraction failed." in page
    assert reverse("article_retry", args=[workspace.slug, article.pk]) in page
    # The file is kept for the retry.
    assert bytes(ArticleUpload.objects.get(article=article).data) == content


def test_a_file_that_ran_out_of_time_is_read_on_retry(
    reviewer_client, workspace, settings, django_capture_on_commit_callbacks
):
    settings.UPLOAD_PARSE_SECONDS = 0  # the parse is stopped at once
    with django_capture_on_commit_callbacks(execute=True):
        upload(reviewer_client, workspace, "story.txt", SAMPLE.encode())
    article = Article.objects.get()
    assert article.extraction_status == Article.Status.FAILED
    assert "took longer than 0 seconds" in article.extraction_error
    settings.UPLOAD_PARSE_SECONDS = 60
    retry = reverse("article_retry", args=[workspace.slug, article.pk])
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(retry)
    article.refresh_from_db()
    assert (article.body, article.extraction_status) == (SAMPLE, Article.Status.DONE)
    assert not ArticleUpload.objects.exists()


def test_uploaded_text_already_in_the_workspace_fails_as_a_duplicate(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    existing = ArticleFactory(workspace=workspace, body=SAMPLE, title="First copy")
    with django_capture_on_commit_callbacks(execute=True):
        upload(reviewer_client, workspace, "copy.txt", SAMPLE.encode())
    copy = Article.objects.exclude(pk=existing.pk).get()
    assert copy.extraction_status == Article.Status.FAILED
    assert "same text as “First copy”" in copy.extraction_error
    page = reviewer_client.get(copy.get_absolute_url()).content.decode()
    assert f'<a href="{existing.get_absolute_url()}">First copy</a>' in page


def test_upload_over_the_size_limit(reviewer_client, workspace, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = upload(reviewer_client, workspace, "big.txt", b"Words and words. " * 200)
    assert b"too large" in response.content
    assert not Article.objects.exists()


def test_web_page_over_its_own_limit_is_refused_in_the_request(reviewer_client, workspace, parses):
    page = b"<p>" + b"Words and words. " * (files.MAX_HTML_BYTES // 17 + 1) + b"</p>"
    response = upload(reviewer_client, workspace, "saved.html", page)
    assert b"This web page is too large to read" in response.content
    assert not Article.objects.exists()
    assert parses == []


def test_url_article_is_saved_and_fetched_later(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = reviewer_client.post(
            url(workspace), {"source": "url", "url": "https://news.example.org/story"}
        )
    article = Article.objects.get()
    assert response.status_code == 302
    assert (article.origin, article.source_url, article.body) == (
        "url",
        "https://news.example.org/story",
        "",
    )
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1/admin",
        "http://localhost:8000/",
        "http://2130706433/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "not a url",
    ],
)
def test_unsafe_urls_are_refused_in_the_form(reviewer_client, workspace, address):
    response = reviewer_client.post(url(workspace), {"source": "url", "url": address})
    assert response.status_code == 200
    assert not Article.objects.exists()
    assert b'class="error"' in response.content


def test_same_url_points_to_the_existing_article(reviewer_client, workspace):
    existing = ArticleFactory(workspace=workspace, source_url="https://news.example.org/a")
    response = reviewer_client.post(
        url(workspace), {"source": "url", "url": "https://news.example.org/a"}
    )
    assert b"already has an article with the same address" in response.content
    assert existing.get_absolute_url().encode() in response.content
    assert Article.objects.count() == 1


def test_outsider_cannot_add_to_another_workspace(outsider_client, workspace):
    response = paste(outsider_client, workspace)
    assert response.status_code == 404
    assert not Article.objects.exists()


def test_wrong_method(reviewer_client, workspace):
    assert reviewer_client.put(url(workspace)).status_code == 405
