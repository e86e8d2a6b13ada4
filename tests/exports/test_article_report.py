"""The article's verdict report, on screen and as PDF, and the PDF renderer's fetch rules."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from claims import exports
from claims.exports import render_pdf, static_file_for_url
from claims.models import Article, Claim, Correction, Source, Verdict
from tests.exports import builders
from tests.factories import ArticleFactory, SourceFactory, UserFactory

BODY = "".join(f"Claim number {i} says the figure rose {i} percent.\n" for i in range(30))
XSS = '<script>alert("x")</script>'


def url(article, name="article_report"):
    return reverse(name, args=[article.workspace.slug, article.pk])


@pytest.fixture
def article(workspace):
    return ArticleFactory(
        workspace=workspace, body=BODY, title="Budget story", source_url="https://n.example/b"
    )


def add_claim(article, i, *, verdict_status=None, sources=1):
    start = BODY.index(f"Claim number {i} ")
    claim = article.add_claim(
        start=start, end=BODY.index("\n", start), assignee=UserFactory(), status="assigned"
    )
    for _ in range(sources):
        SourceFactory(claim=claim)
    if verdict_status:
        verdict = builders.verdict(article.workspace, claim=claim, status=verdict_status)
        if verdict_status == "published":
            Correction.objects.create(verdict=verdict, reason="Fixed a date.")
    return claim


def test_member_sees_every_claim_in_order_with_people_and_findings(reviewer_client, article):
    later = add_claim(article, 7, verdict_status="published")
    earlier = add_claim(article, 2, verdict_status="draft")
    bare = add_claim(article, 12, sources=0)
    response = reviewer_client.get(url(article))
    assert response.status_code == 200
    page = response.content.decode()
    positions = [page.index(f'id="claim-{c.pk}"') for c in (earlier, later, bare)]
    assert positions == sorted(positions)
    published = later.verdict
    for text in [
        later.text,
        published.approved_by.display_name,
        published.author.display_name,
        later.assignee.display_name,
        "Mostly true",
        "Close to the official figure.",
        "The ministry reported 3.9 percent.",
        "Fixed a date.",
        later.sources.get().url,
        "No verdict yet",
        "No sources.",
    ]:
        assert text in page, text
    assert 'rel="stylesheet" href="/static/css/report.css"' in page
    assert "style=" not in page
    assert url(article, "article_report_pdf") in page


def test_query_count_is_constant(reviewer_client, article, django_assert_num_queries):
    add_claim(article, 0, verdict_status="published")
    reviewer_client.get(url(article))
    with django_assert_num_queries(9) as few:
        reviewer_client.get(url(article))
    for i in range(1, 21):
        add_claim(
            article, i, verdict_status=["draft", "submitted", "published", None][i % 4], sources=2
        )
    with django_assert_num_queries(len(few.captured_queries)):
        reviewer_client.get(url(article))


def test_user_text_is_escaped(reviewer_client, workspace):
    body = f"{XSS} said the mayor.\nMore."
    article = ArticleFactory(workspace=workspace, body=body, title=XSS)
    claim = article.add_claim(start=0, end=body.index("\n"))
    builders.verdict(workspace, claim=claim, summary=XSS, explanation=XSS)
    Source.objects.create(claim=claim, url="javascript:alert(1)", title=XSS, excerpt=XSS)
    page = reviewer_client.get(url(article)).content.decode()
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page


@pytest.mark.parametrize("name", ["article_report", "article_report_pdf"])
def test_outsider_gets_404(outsider_client, article, name):
    assert outsider_client.get(url(article, name)).status_code == 404


@pytest.mark.parametrize("name", ["article_report", "article_report_pdf"])
def test_anonymous_is_sent_to_login(client, article, name):
    response = client.get(url(article, name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["article_report", "article_report_pdf"])
def test_post_is_not_allowed(reviewer_client, article, name):
    counts = (Article.objects.count(), Claim.objects.count(), Verdict.objects.count())
    assert reviewer_client.post(url(article, name)).status_code == 405
    assert counts == (Article.objects.count(), Claim.objects.count(), Verdict.objects.count())


def test_other_workspace_article_under_our_slug_is_not_found(
    reviewer_client, workspace, other_workspace
):
    theirs = ArticleFactory(workspace=other_workspace)
    mixed = reverse("article_report", args=[workspace.slug, theirs.pk])
    assert reviewer_client.get(mixed).status_code == 404


def test_pdf_download(reviewer_client, article):
    add_claim(article, 3, verdict_status="published")
    response = reviewer_client.get(url(article, "article_report_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="report-{article.pk}-budget-story.pdf"'
    )
    assert response.content.startswith(b"%PDF")


# --- What the PDF renderer may fetch --------------------------------------------------------


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://checks.example.org"
    return "https://checks.example.org/static/"


def test_our_static_files_are_served_from_disk(site):
    path = static_file_for_url(site + "css/report.css?v=2#x")
    # The collected copy (after collectstatic) or the source file: the same stylesheet.
    source = django_settings.BASE_DIR / "static/css/report.css"
    assert path is not None and path.read_bytes() == source.read_bytes()


@pytest.mark.parametrize(
    "address",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:6379/",
        "https://checks.example.org/admin/",
        "https://checks.example.org.evil.example/static/css/report.css",
        "https://evil.example/static/css/report.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        "https://checks.example.org/static/../factcheck/settings.py",
        "https://checks.example.org/static/css/../../factcheck/settings.py",
        "https://checks.example.org/static/%2e%2e/factcheck/settings.py",
        "https://checks.example.org/static/css/missing.css",
        "https://checks.example.org/static/",
    ],
)
def test_everything_else_is_refused(site, address):
    assert static_file_for_url(address) is None


def test_renderer_fetches_nothing_from_outside(site, monkeypatch):
    asked = []

    def no_network(*args, **kwargs):
        asked.append(args)
        raise AssertionError("the renderer must not open URLs")

    monkeypatch.setattr("urllib.request.OpenerDirector.open", no_network)
    looked_up = {}

    def spy(address):
        looked_up[address] = static_file_for_url(address)
        return looked_up[address]

    monkeypatch.setattr(exports, "static_file_for_url", spy)
    html = (
        '<link rel="stylesheet" href="/static/css/report.css">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        '<img src="http://169.254.169.254/latest/meta-data/">'
        '<img src="file:///etc/passwd"><p>Hello</p>'
    )
    assert render_pdf(html).startswith(b"%PDF")
    assert asked == []
    assert looked_up.pop(site + "css/report.css") is not None
    assert looked_up == {
        "http://127.0.0.1:9/x.css": None,
        "http://169.254.169.254/latest/meta-data/": None,
        "file:///etc/passwd": None,
    }
