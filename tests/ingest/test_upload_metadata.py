"""What an uploaded file says about itself becomes the article's details: a saved web page's
address, title, author, date and outlet; a Word document's heading; a PDF's real title.

Uploads go through the whole flow: the request stores the file, the worker parses it in the
sandboxed child (claims/ingest/parse_worker.py) and stores the text and details.
"""

import datetime
import io

import docx
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.ingest.html import extract_html
from claims.ingest.text import real_author, real_title, title_without_outlet
from claims.models import Article
from tests.factories import ArticleFactory
from tests.ingest.test_files import make_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

PARAGRAPHS = (
    "<p>Berlin is renaming streets that still honour the leaders of the German Empire's "
    "colonial expansion, and some residents are not happy about it, the city said.</p>"
    "<p>The council voted for the change in 2018 after years of campaigning by groups "
    "representing Black Germans, who say the names glorify crimes.</p>"
)


def page(head: str) -> bytes:
    return f"<html><head>{head}</head><body><article>{PARAGRAPHS}</article></body></html>".encode()


DW_PAGE = page(
    "<title>Germany confronts its colonial past | DW | 19.01.2020</title>"
    '<link rel="canonical" href="https://www.dw.com/en/germany-confronts-its-colonial-past/a-52056541">'
    '<meta property="og:url" content="https://www.dw.com/en/og-address">'
    '<meta property="og:site_name" content="DW">'
    '<meta name="author" content="Ben Knight">'
    '<meta property="article:published_time" content="2020-01-19T09:30:00Z">'
)


def upload(client, workspace, name: str, content: bytes, **typed) -> Article:
    file = SimpleUploadedFile(name, content)
    response = client.post(
        reverse("article_new", args=[workspace.slug]), {"source": "upload", "file": file, **typed}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Article.objects.order_by("-pk").first()


def run_upload(client, workspace, django_capture_on_commit_callbacks, name, content, **typed):
    with django_capture_on_commit_callbacks(execute=True):
        article = upload(client, workspace, name, content, **typed)
    article.refresh_from_db()
    assert article.extraction_status == Article.Status.DONE, article.extraction_error
    return article


def make_docx(*paragraphs, title="", author=None, styles=()) -> bytes:
    """A Word file made from python-docx's own template (whose author is "python-docx")."""
    document = docx.Document()
    for index, text in enumerate(paragraphs):
        document.add_paragraph(text, style=styles[index] if index < len(styles) else None)
    document.core_properties.title = title
    if author is not None:
        document.core_properties.author = author
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def with_pdf_metadata(data: bytes, **metadata) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.add_metadata({f"/{key.title()}": value for key, value in metadata.items()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Saved web pages ------------------------------------------------------------------------


def test_a_saved_page_keeps_its_address_title_author_date_and_outlet(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    article = run_upload(
        reviewer_client, workspace, django_capture_on_commit_callbacks, "dw.html", DW_PAGE
    )
    assert article.source_url == (
        "https://www.dw.com/en/germany-confronts-its-colonial-past/a-52056541"
    )
    assert article.title == "Germany confronts its colonial past"
    assert (article.author, article.outlet) == ("Ben Knight", "DW")
    assert article.published_date == datetime.date(2020, 1, 19)
    detail = reviewer_client.get(article.get_absolute_url()).content.decode()
    assert "<h1>Germany confronts its colonial past</h1>" in detail
    assert 'href="https://www.dw.com/en/germany-confronts-its-colonial-past/a-52056541"' in detail


def test_what_the_submitter_typed_wins(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    article = run_upload(
        reviewer_client,
        workspace,
        django_capture_on_commit_callbacks,
        "dw.html",
        DW_PAGE,
        title="Streets renamed | DW",
        author="Desk",
    )
    # A typed title is kept exactly as typed, suffix and all.
    assert (article.title, article.author, article.outlet) == ("Streets renamed | DW", "Desk", "DW")


@pytest.mark.parametrize(
    ("head", "address"),
    [
        (
            '<meta property="og:url" content="https://news.example.org/og">',
            "https://news.example.org/og",
        ),
        ('<link rel="canonical" href="javascript:alert(1)">', ""),
        ('<link rel="canonical" href="/en/relative-address">', ""),
        ('<link rel="canonical" href="ftp://files.example.org/a">', ""),
        (
            '<link rel="Canonical Alternate" href="https://news.example.org/c">',
            "https://news.example.org/c",
        ),
        ('<link rel="canonical" href="https://news.example.org/has space">', ""),
    ],
)
def test_only_a_web_address_becomes_the_articles_address(
    reviewer_client, workspace, django_capture_on_commit_callbacks, head, address
):
    article = run_upload(
        reviewer_client, workspace, django_capture_on_commit_callbacks, "p.html", page(head)
    )
    assert article.source_url == address


def test_an_address_another_article_has_is_left_off(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    ArticleFactory(
        workspace=workspace,
        source_url="https://www.dw.com/en/germany-confronts-its-colonial-past/a-52056541",
    )
    article = run_upload(
        reviewer_client, workspace, django_capture_on_commit_callbacks, "dw.html", DW_PAGE
    )
    assert article.source_url == ""
    assert article.title == "Germany confronts its colonial past"


def test_title_falls_back_from_og_title_to_title_to_h1():
    body = f"<body><h1>The heading</h1>{PARAGRAPHS}</body>"
    assert extract_html(
        f'<head><meta property="og:title" content="OG"><title>T</title></head>{body}'
    ).title == ("OG")
    assert extract_html(f"<head><title>The page title</title></head>{body}").title == (
        "The page title"
    )
    assert extract_html(f"<html>{body}</html>").title == "The heading"


def test_author_and_date_from_other_tags():
    html = (
        '<head><meta property="article:author" content="https://facebook.com/someone">'
        '<meta name="date" content="2021-02-03"></head>'
        f'<body><p class="byline">By Jane Roe</p>{PARAGRAPHS}</body>'
    )
    found = extract_html(html)
    assert found.author == "Jane Roe"  # a profile address is not a name
    assert found.published == datetime.date(2021, 2, 3)
    found = extract_html(f'<body><time datetime="2024-03-05">5 March</time>{PARAGRAPHS}</body>')
    assert found.published == datetime.date(2024, 3, 5)


def test_a_fetched_page_gets_the_same_details_and_keeps_its_own_address():
    found = extract_html(DW_PAGE.decode(), url="https://www.dw.com/en/a-52056541")
    assert found.url == "https://www.dw.com/en/a-52056541"
    assert found.title == "Germany confronts its colonial past"
    assert (found.author, found.outlet) == ("Ben Knight", "DW")


# --- Word documents -------------------------------------------------------------------------


def test_docx_title_is_its_heading_and_never_python_docx(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    data = make_docx(
        "Minister's jobs claim does not add up",
        "The minister said two million jobs had been created since the election.",
        title="Template title",
        styles=["Title"],
    )
    article = run_upload(
        reviewer_client, workspace, django_capture_on_commit_callbacks, "jobs.docx", data
    )
    assert article.title == "Minister's jobs claim does not add up"
    assert article.author == ""  # python-docx's template says "python-docx"
    page = reviewer_client.get(article.get_absolute_url()).content.decode()
    assert "python-docx" not in page
    assert f"Article {article.pk}" not in page


@pytest.mark.parametrize(
    ("paragraphs", "styles", "properties", "title"),
    [
        (("Lead paragraph.", "The heading", "Body."), ("Normal", "Heading 1"), "", "The heading"),
        (("Body text of the story.",), (), "Budget speech", "Budget speech"),
        (("Budget speech", "The minister said taxes doubled."), (), "", "Budget speech"),
        (("The minister said taxes doubled.",), (), "python-docx", ""),
        (("The minister said taxes doubled.",), (), "Microsoft Word - draft.docx", ""),
    ],
)
def test_docx_title_sources(paragraphs, styles, properties, title):
    from claims.ingest.files import extract_file

    data = make_docx(*paragraphs, title=properties, author="Sam Reporter", styles=styles)
    found = extract_file(data, "story.docx", max_bytes=5 * 1024 * 1024)
    assert found.title == title
    assert found.author == "Sam Reporter"


def test_a_file_without_a_title_is_named_by_its_file_not_a_number(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    data = make_docx("The minister said taxes doubled.", "Economists disagree.")
    article = run_upload(
        reviewer_client, workspace, django_capture_on_commit_callbacks, "notes.docx", data
    )
    assert article.title == ""
    assert str(article) == "notes.docx"


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_title_from_its_metadata(
    reviewer_client, workspace, django_capture_on_commit_callbacks
):
    data = with_pdf_metadata(
        make_pdf(["The minister said taxes doubled in 2023."]),
        title="Tax claims checked",
        author="Sam Reporter",
    )
    article = run_upload(
        reviewer_client, workspace, django_capture_on_commit_callbacks, "tax.pdf", data
    )
    assert (article.title, article.author) == ("Tax claims checked", "Sam Reporter")


@pytest.mark.parametrize("junk", ["Microsoft Word - draft.docx", "untitled", "report.pdf", "  "])
def test_pdf_junk_metadata_title_gives_way_to_its_first_line(
    reviewer_client, workspace, django_capture_on_commit_callbacks, junk
):
    data = with_pdf_metadata(
        make_pdf(["Tax claims checked", "The minister said taxes doubled in 2023."]),
        title=junk,
        author="Windows User",
    )
    article = run_upload(
        reviewer_client, workspace, django_capture_on_commit_callbacks, "tax.pdf", data
    )
    assert (article.title, article.author) == ("Tax claims checked", "")


# --- The pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "outlets", "expected"),
    [
        # Real headlines as their sites title them.
        (
            "Germany confronts its colonial past | DW | 19.01.2020",
            ("DW.COM",),
            "Germany confronts its colonial past",
        ),
        (
            "Obama admits US gun laws are his 'biggest frustration' - BBC News",
            ("BBC News",),
            "Obama admits US gun laws are his 'biggest frustration'",
        ),
        (
            "Microsoft pledges to be 'carbon negative' by 2030 | Reuters",
            ("", "www.reuters.com"),
            "Microsoft pledges to be 'carbon negative' by 2030",
        ),
        (
            "Thousands of UK academics 'treated as second-class citizens' \u2013 The Guardian",
            ("the Guardian",),
            "Thousands of UK academics 'treated as second-class citizens'",
        ),
        ("Sudan sanctions to be lifted | CNN Politics", ("CNN",), "Sudan sanctions to be lifted"),
        # Left alone: no known outlet at the end, or nothing else left.
        (
            "Apple - Samsung rivalry heats up | Reuters",
            ("Reuters",),
            "Apple - Samsung rivalry heats up",
        ),
        ("Pros and cons - a debate", ("BBC News",), "Pros and cons - a debate"),
        ("Budget 2020 - 19.01.2020", ("BBC",), "Budget 2020 - 19.01.2020"),
        ("Reuters", ("Reuters",), "Reuters"),
        ("Trump - CNN interview | CNN", ("CNN",), "Trump - CNN interview"),
        (
            "Germany confronts its colonial past | DW",
            (),
            "Germany confronts its colonial past | DW",
        ),
    ],
)
def test_title_without_outlet(title, outlets, expected):
    assert title_without_outlet(title, *outlets) == expected


def test_placeholders_are_not_titles_or_authors():
    for junk in ("python-docx", "Microsoft Word - x.docx", "Untitled", "Document1", "scan.pdf"):
        assert real_title(junk) == ""
    assert real_title("  Budget\nspeech ") == "Budget speech"
    for junk in ("python-docx", "Windows User", "https://facebook.com/x", "Administrator"):
        assert real_author(junk) == ""
    assert real_author("Jane Roe") == "Jane Roe"
