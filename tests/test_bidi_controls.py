"""Bidirectional overrides never reach a list: "\u202egnp.exe" would show as "exe.png".

Titles, outlets, authors (typed, or read from a file or a page), people's names, workspace
names, source titles and the article text that claims are cut from are cleaned where they are
saved (claims/models.py, without_bidi_controls), whichever way they came in.
"""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims import services
from claims.ingest import fetch
from claims.ingest.text import ExtractedArticle
from claims.models import Article, Source, User, without_bidi_controls
from tests.conftest import client_for
from tests.factories import ArticleFactory, UserFactory

# Tasks run here, as in the embedded default: these tests check what the task does.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

SPOOF = "\u202egnp.exe"  # shows as "exe.png"
CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
BODY = (
    "The city council approved a budget of \u202e$4.2 billion\u202c on Tuesday.\n\n"
    "Officials said crime fell by 12 percent last year, the \u2067police\u2069 report shows."
)


def clean(text: str) -> bool:
    return not any(char in text for char in CONTROLS)


def lists_are_clean(client, workspace):
    for name in ("claim_queue", "dashboard", "my_claims"):
        page = client.get(reverse(name, args=[workspace.slug])).content.decode()
        assert clean(page), name
    assert clean(client.get(reverse("workspace_list")).content.decode())


def test_the_helper_removes_overrides_and_isolates_but_keeps_marks():
    assert without_bidi_controls(SPOOF) == "gnp.exe"
    assert without_bidi_controls(f"a{CONTROLS}b") == "ab"
    hebrew = "\u05e9\u05dc\u05d5\u05dd\u200f!"  # a right-to-left mark placing the "!"
    assert without_bidi_controls(hebrew) == hebrew
    assert without_bidi_controls("\u0645\u0631\u062d\u0628\u0627\u061c") == "مرحبا\u061c"


def test_a_pasted_article_and_its_claims(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the extraction task
        reviewer_client.post(
            reverse("article_new", args=[workspace.slug]),
            {
                "source": "paste",
                "title": SPOOF,
                "outlet": "\u2067The Daily\u2069",
                "author": "J.\u202d Doe",
                "body": BODY,
            },
        )
    article = Article.objects.get()
    assert (article.title, article.outlet, article.author) == ("gnp.exe", "The Daily", "J. Doe")
    assert clean(article.body)
    claims = list(article.claims.all())
    assert claims
    for claim in claims:
        assert clean(claim.text) and claim.text == article.body[claim.start : claim.end]
    lists_are_clean(reviewer_client, workspace)


def test_the_same_text_with_an_override_slipped_in_is_still_the_same_article(workspace):
    first = services.submit_article(
        workspace=workspace, submitted_by=None, origin="pasted", body=BODY.replace("\u202e", "")
    )
    with pytest.raises(services.DuplicateArticle) as caught:
        services.submit_article(
            workspace=workspace, submitted_by=None, origin="pasted", body=BODY + "\u2066"
        )
    assert caught.value.existing == first


def test_an_uploaded_file_its_name_and_its_own_title(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    document = docx.Document()
    document.core_properties.title = "Budget \u202eteg\u202c report"
    document.core_properties.author = "\u2066Desk\u2069"
    for paragraph in BODY.split("\n\n"):
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    upload = SimpleUploadedFile("\u202excod.story.docx", buffer.getvalue())
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(
            reverse("article_new", args=[workspace.slug]), {"source": "upload", "file": upload}
        )
    article = Article.objects.get()
    assert article.extraction_status == "done", article.extraction_error
    assert clean(article.original_filename) and clean(article.title) and clean(article.author)
    assert article.title == "Budget teg report"
    assert clean(article.body)
    assert all(clean(text) for text in article.claims.values_list("text", flat=True))
    lists_are_clean(reviewer_client, workspace)


def test_a_fetched_page_and_its_metadata(workspace, monkeypatch):
    page = ExtractedArticle(
        text=BODY, title=SPOOF, author="\u202bEditor", outlet="News\u2069", url="https://x.org/"
    )
    monkeypatch.setattr(fetch, "extract_url", lambda url, **limits: page)
    article = ArticleFactory(
        workspace=workspace,
        origin="url",
        source_url="https://news.example.org/story",
        body="",
        title="",
        outlet="",
        author="",
    )
    services.fetch_article_text(article)
    article.refresh_from_db()
    assert (article.title, article.author, article.outlet) == ("gnp.exe", "Editor", "News")
    assert clean(article.body)


def test_people_and_workspaces(workspace, admin_member):
    person = UserFactory(username="spoofer", first_name=SPOOF, last_name="\u2068Ed\u2069")
    person.refresh_from_db()
    assert person.display_name == "gnp.exe Ed"
    client = client_for(admin_member)
    client.post(
        reverse("organisation_save", args=[workspace.slug]),
        {"name": "\u202eDaily", "organisation_name": "Fact\u202d Check", "organisation_url": ""},
    )
    workspace.refresh_from_db()
    assert (workspace.name, workspace.organisation_name) == ("Daily", "Fact Check")
    page = client.get(reverse("workspace_settings", args=[workspace.slug])).content.decode()
    assert clean(page)


def test_a_name_in_a_right_to_left_script_is_kept_as_written():
    name = "\u0645\u0631\u064a\u0645\u200f"
    person = UserFactory(username="maryam", first_name=name)
    assert User.objects.get(pk=person.pk).first_name == name


def test_source_titles(reviewer_client, reviewer, workspace):
    article = ArticleFactory(workspace=workspace)
    claim = article.add_claim(start=0, end=20)
    claim.assignee, claim.status = reviewer, "assigned"
    claim.save()
    reviewer_client.post(
        reverse("source_add", args=[workspace.slug, claim.pk]),
        {
            "url": "https://stats.example.org/",
            "title": SPOOF,
            "publisher": "\u202bStats",
            "stance": "context",
        },
    )
    source = Source.objects.get()
    assert (source.title, source.publisher) == ("gnp.exe", "Stats")
    assert clean(reviewer_client.get(claim.get_absolute_url()).content.decode())
