"""The article's verdict report on screen, its PDF built by the worker, and the PDF renderer's
fetch rules."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from claims import reports, tasks
from claims.models import Article, Claim, Correction, ReportPdf, Source, Verdict
from claims.reports import render_pdf, static_file_for_url
from tests.exports import builders
from tests.factories import (
    ArticleFactory,
    SourceFactory,
    UserFactory,
    WorkspaceFactory,
)

# Tasks run here, as in the embedded default: these tests check what the task does.
pytestmark = [pytest.mark.usefixtures("eager_tasks")]

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
            Correction.objects.create(
                verdict=verdict,
                reason="Fixed a date.",
                status=Correction.Status.APPROVED,
                decided_by=UserFactory(),
                decided_at=verdict.published_at,
            )
            # A proposal nobody approved never reaches the report.
            Correction.objects.create(verdict=verdict, reason="Only proposed.")
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
    assert "Only proposed." not in page
    assert 'rel="stylesheet" href="/static/css/report.css"' in page
    assert "style=" not in page
    assert url(article, "article_report_pdf_build") in page


def test_query_count_is_constant(reviewer_client, article, django_assert_num_queries):
    add_claim(article, 0, verdict_status="published")
    reviewer_client.get(url(article))
    with django_assert_num_queries(11):
        reviewer_client.get(url(article))
    for i in range(1, 21):
        add_claim(
            article, i, verdict_status=["draft", "submitted", "published", None][i % 4], sources=2
        )
    with django_assert_num_queries(11):
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


# --- Bounded, whatever the article's size ---------------------------------------------------


def long_article(workspace, claims):
    """A million characters with `claims` machine-picked claims, none reviewed yet."""
    sentence = "The council said the budget rose 12 percent in 2023 compared with last year. "
    body = (sentence * 13_000)[:1_000_000].strip()
    article = ArticleFactory(workspace=workspace, body=body, title="Long read")
    step = len(sentence)
    Claim.objects.bulk_create(
        Claim(
            workspace=workspace,
            article=article,
            start=i * step,
            end=i * step + step - 1,
            text=body[i * step : i * step + step - 1],
            score=0.5 + i / 10_000,
        )
        for i in range(claims)
    )
    return article


def test_report_of_a_long_article_is_bounded(reviewer_client, workspace, monkeypatch):
    monkeypatch.setattr(reports, "REPORT_MAX_CLAIMS", 20)
    article = long_article(workspace, claims=3_000)
    reviewed = article.claims.order_by("score")[:2]  # the two lowest scores
    for claim in reviewed:
        builders.verdict(workspace, claim=claim, status="draft")
    # By default only the two worked on; with ?all=1 the bound applies.
    page = reviewer_client.get(url(article)).content.decode()
    assert page.count('class="report-claim"') == 2
    assert "2998 nobody has worked on yet are left out" in page
    page = reviewer_client.get(url(article), {"all": "1"}).content.decode()
    assert page.count('class="report-claim"') == 20
    # Claims with a verdict first, however low their score; then the most check-worthy.
    for claim in reviewed:
        assert f'id="claim-{claim.pk}"' in page
    best = article.claims.order_by("-score").first()
    assert f'id="claim-{best.pk}"' in page
    assert "2980 more are in" in page
    assert f"?article={article.pk}&amp;status=all" in page
    ten_times = long_article(WorkspaceFactory(), claims=300)
    assert ten_times.claims.count() * 10 == article.claims.count()


def test_report_query_count_is_the_same_past_the_bound(
    reviewer_client, workspace, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(reports, "REPORT_MAX_CLAIMS", 5)
    article = long_article(workspace, claims=5)
    reviewer_client.get(url(article), {"all": "1"})
    # Claims without verdicts, so no corrections to look up.
    with django_assert_num_queries(10):
        reviewer_client.get(url(article), {"all": "1"})
    Claim.objects.filter(article=article).delete()
    article = long_article(workspace, claims=60)
    with django_assert_num_queries(10):
        reviewer_client.get(url(article), {"all": "1"})


@pytest.fixture
def rendered(monkeypatch):
    """The HTML each PDF is made from; the real renderer still runs."""
    html = []
    real = reports.render_pdf

    def spy(text):
        html.append(text)
        return real(text)

    monkeypatch.setattr(reports, "render_pdf", spy)
    return html


def test_pdf_is_built_by_the_worker_then_downloaded(
    reviewer_client, reviewer, article, rendered, django_capture_on_commit_callbacks
):
    add_claim(article, 3, verdict_status="published")
    # Nothing built yet: the download link leads to the report page, which offers to build it.
    response = reviewer_client.get(url(article, "article_report_pdf"))
    assert response.status_code == 302
    assert response["Location"] == url(article) + "#report-pdf"
    assert "Build a PDF" in reviewer_client.get(url(article)).content.decode()

    with django_capture_on_commit_callbacks() as callbacks:
        response = reviewer_client.post(url(article, "article_report_pdf_build"))
    assert response.status_code == 302
    assert rendered == []  # the request only asked
    assert len(callbacks) == 1
    page = reviewer_client.get(url(article)).content.decode()
    assert "Building the PDF" in page and 'hx-trigger="every 2s"' in page
    assert reviewer_client.get(url(article, "article_report_pdf")).status_code == 302

    callbacks[0]()  # the worker runs the task
    assert len(rendered) == 1
    report_pdf = ReportPdf.objects.get(article=article)
    assert (report_pdf.status, report_pdf.requested_by) == ("done", reviewer)
    page = reviewer_client.get(
        url(article), headers={"HX-Request": "true", "HX-Target": "report-pdf"}
    )
    assert page.content.decode().lstrip().startswith('<div id="report-pdf"')
    assert "hx-trigger" not in page.content.decode()
    assert url(article, "article_report_pdf") in page.content.decode()
    response = reviewer_client.get(url(article, "article_report_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="report-{article.pk}-budget-story.pdf"'
    )
    assert response.content.startswith(b"%PDF")


def test_pdf_of_a_long_article_is_made_from_a_bounded_report(
    reviewer_client, workspace, rendered, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(reports, "REPORT_MAX_CLAIMS", 10)
    sizes = []
    for claims in (10, 3_000):
        article = long_article(workspace, claims=claims)
        with django_capture_on_commit_callbacks(execute=True):
            # Nobody worked on these claims: the PDF of all of them.
            reviewer_client.post(url(article, "article_report_pdf_build"), {"all": "1"})
        assert ReportPdf.objects.get(article=article).status == "done"
        sizes.append(len(rendered[-1]))
        assert rendered[-1].count('class="report-claim"') == 10
    # The same ten claims' worth of HTML, whatever the article holds beyond them.
    assert sizes[1] - sizes[0] < 1_000


def test_asking_twice_while_waiting_sends_one_task(
    reviewer_client, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        reviewer_client.post(url(article, "article_report_pdf_build"))
        reviewer_client.post(url(article, "article_report_pdf_build"))
    assert len(callbacks) == 1
    assert ReportPdf.objects.count() == 1


def test_pdf_task_run_twice_builds_once(article, rendered):
    ReportPdf.objects.create(article=article)
    tasks.build_report_pdf.apply(args=[article.pk])
    built_at = ReportPdf.objects.get().built_at
    tasks.build_report_pdf.apply(args=[article.pk])
    assert len(rendered) == 1
    assert ReportPdf.objects.get().built_at == built_at


def test_failed_pdf_says_so_and_can_be_built_again(
    reviewer_client, article, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(html):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(reports, "render_pdf", broken)
    with (
        pytest.raises(RuntimeError),  # eager tasks propagate; a real worker logs it
        django_capture_on_commit_callbacks(execute=True),
    ):
        reviewer_client.post(url(article, "article_report_pdf_build"))
    page = reviewer_client.get(url(article)).content.decode()
    assert "The PDF couldn't be built: Building the PDF failed unexpectedly." in page
    assert "Try again" in page
    assert reviewer_client.get(url(article, "article_report_pdf")).status_code == 302


def test_htmx_build_answers_with_the_pdf_region(
    reviewer_client, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        response = reviewer_client.post(
            url(article, "article_report_pdf_build"), headers={"HX-Request": "true"}
        )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="report-pdf"')
    assert "Building the PDF" in page and "<html" not in page


def test_building_refuses_get_outsiders_and_anonymous(
    reviewer_client, outsider_client, client, article, django_capture_on_commit_callbacks
):
    build = url(article, "article_report_pdf_build")
    with django_capture_on_commit_callbacks() as callbacks:
        assert reviewer_client.get(build).status_code == 405
        assert outsider_client.post(build).status_code == 404
        response = client.post(build)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert callbacks == []
    assert not ReportPdf.objects.exists()


def test_outsider_cannot_download_a_built_pdf(outsider_client, article):
    ReportPdf.objects.create(article=article, status="done", pdf=b"%PDF-1.4 secret")
    response = outsider_client.get(url(article, "article_report_pdf"))
    assert response.status_code == 404
    assert b"secret" not in response.content


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

    monkeypatch.setattr(reports, "static_file_for_url", spy)
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


def test_a_late_failure_does_not_spoil_a_finished_pdf(db):
    """A redelivered build that fails after another run finished leaves the PDF ready."""
    article = ArticleFactory()
    ReportPdf.objects.create(article=article, status=ReportPdf.Status.DONE, pdf=b"%PDF-1.7")
    reports.fail_pdf(article.pk, "Building the PDF failed unexpectedly. Try again.")
    report = ReportPdf.objects.get(article=article)
    assert (report.status, bytes(report.pdf), report.error) == ("done", b"%PDF-1.7", "")
