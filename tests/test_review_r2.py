"""Review R2 of issue 11: what an uploaded file's metadata may become (the article's address,
title and byline), checked through the upload flow and the extractor; and the article report's
correction dates."""

import datetime

import pytest
from django.urls import reverse

from claims.ingest.html import extract_html
from claims.ingest.text import real_author, real_title, title_without_outlet
from tests.exports import builders
from tests.exports.test_claimreview import approve
from tests.ingest.test_upload_metadata import PARAGRAPHS, page, run_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


# --- A saved page's canonical address never points inside our network -----------------------


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost/secret",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/intranet",
        "http://[::1]/x",
        "http://intranet/page",
        "https://user:password@news.example.org/a",
    ],
)
def test_a_canonical_address_inside_a_network_is_not_the_articles_address(
    reviewer_client, workspace, django_capture_on_commit_callbacks, address
):
    head = f'<link rel="canonical" href="{address}"><title>Streets renamed in Berlin</title>'
    article = run_upload(
        reviewer_client, workspace, django_capture_on_commit_callbacks, "p.html", page(head)
    )
    assert article.source_url == ""
    assert article.title == "Streets renamed in Berlin"
    detail = reviewer_client.get(article.get_absolute_url()).content.decode()
    assert address not in detail


def test_a_private_canonical_address_gives_way_to_og_url():
    head = (
        '<link rel="canonical" href="http://127.0.0.1/x">'
        '<meta property="og:url" content="https://news.example.org/streets">'
    )
    assert extract_html(page(head).decode()).url == "https://news.example.org/streets"


# --- A placeholder title gives way to the page's other titles --------------------------------


def test_a_placeholder_og_title_falls_back_to_the_page_title_and_heading():
    body = f"<body><h1>Streets renamed in Berlin</h1>{PARAGRAPHS}</body>"
    html = '<head><meta property="og:title" content="Untitled"><title>Berlin renames</title></head>'
    assert extract_html(html + body).title == "Berlin renames"
    html = '<head><meta property="og:title" content="Untitled"><title>Document1</title></head>'
    assert extract_html(html + body).title == "Streets renamed in Berlin"


# --- Real headlines and bylines are kept ------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Microsoft Word gets an AI assistant",
        "Microsoft Word's new look divides users",
        "Why you should never open an unexpected .pdf",
    ],
)
def test_headlines_that_mention_programs_or_formats_are_titles(title):
    assert real_title(title) == title


def test_word_and_file_name_placeholders_are_still_not_titles():
    for junk in ("Microsoft Word - budget.docx", "Microsoft Word", "budget 2020.docx", "a.pdf"):
        assert real_title(junk) == ""


@pytest.mark.parametrize("byline", ["Jane Roe/AP", "dpa/AFP", "Jane Roe / Reuters"])
def test_wire_credits_with_a_slash_are_bylines(byline):
    assert real_author(byline) == byline


def test_profile_addresses_are_still_not_bylines():
    for junk in ("https://facebook.com/jane", "www.example.org/jane", "facebook.com/jane"):
        assert real_author(junk) == ""


# --- The outlet's name is stripped only when it is the suffix --------------------------------


@pytest.mark.parametrize(
    ("title", "outlets", "expected"),
    [
        (
            "Markets slide - Times are changing",
            ("The Times",),
            "Markets slide - Times are changing",
        ),
        ("Brexit - Time to decide", ("Time", "time.com"), "Brexit - Time to decide"),
        # Still stripped: the outlet's name, and the outlet's name with its section.
        ("Sudan sanctions to be lifted | CNN Politics", ("CNN",), "Sudan sanctions to be lifted"),
        ("Markets slide | The Times", ("The Times",), "Markets slide"),
        ("Brexit deal agreed | TIME", ("time.com",), "Brexit deal agreed"),
    ],
)
def test_the_outlet_is_stripped_only_as_a_suffix(title, outlets, expected):
    assert title_without_outlet(title, *outlets) == expected


# --- The article report dates a correction as readers see it ----------------------------------


def test_the_report_dates_a_correction_by_its_approval_like_the_public_page(
    reviewer_client, workspace
):
    verdict = builders.verdict(workspace)
    correction = approve(
        verdict,
        reason="A newer release.",
        when=datetime.datetime(2025, 4, 5, 12, 0, tzinfo=datetime.UTC),
        summary="Corrected.",
    )
    # Proposed on the 1st, approved on the 5th: readers were told on the 5th.
    correction.created_at = datetime.datetime(2025, 4, 1, 12, 0, tzinfo=datetime.UTC)
    correction.save(update_fields=["created_at"])
    article = verdict.claim.article
    report = reviewer_client.get(
        reverse("article_report", args=[workspace.slug, article.pk])
    ).content.decode()
    public = reviewer_client.get(
        reverse("public_verdict", args=[workspace.slug, verdict.pk])
    ).content.decode()
    assert "5 April 2025" in public
    assert '<time datetime="2025-04-05' in report
    assert "1 Apr 2025" not in report
