"""The article report leads with a summary of its verdicts, leaves out the claims nobody worked
on unless asked (?all=1, the PDF too), and has no stray separators or empty sections."""

import re

import pytest
from django.urls import reverse

from claims import reports
from claims.models import ReportPdf
from tests.exports import builders
from tests.factories import ArticleFactory, SourceFactory, UserFactory

pytestmark = [pytest.mark.usefixtures("eager_tasks")]

BODY = "".join(f"Sentence {i} says the figure rose {i} percent.\n" for i in range(8))


def url(article, name="article_report"):
    return reverse(name, args=[article.workspace.slug, article.pk])


def claim(article, i, **fields):
    start = BODY.index(f"Sentence {i} ")
    return article.add_claim(start=start, end=BODY.index("\n", start), **fields)


@pytest.fixture
def article(workspace):
    return ArticleFactory(
        workspace=workspace, body=BODY, title="Budget story", source_url="https://n.example/b"
    )


@pytest.fixture
def claims(article, workspace, reviewer):
    verdict_claim = claim(article, 1, assignee=reviewer, status="in_review")
    builders.verdict(workspace, claim=verdict_claim, status="submitted", rating_label="False")
    sourced = claim(article, 2)
    SourceFactory(claim=sourced)
    return {
        "verdict": verdict_claim,
        "assigned": claim(article, 3, assignee=UserFactory(), status="assigned"),
        "sourced": sourced,
        "dismissed": claim(article, 4, status="dismissed", dismissed_reason="Opinion."),
        "untouched": claim(article, 5),
        "untouched_too": claim(article, 6),
    }


def sections(page):
    return re.findall(r'<section class="report-claim" id="claim-(\d+)"', page)


def summary(page):
    start = page.index('<section class="report-summary"')
    return page[start : page.index("</section>", start)]


def test_summary_table_leads_with_claim_rating_status_and_reviewer(
    reviewer_client, reviewer, claims
):
    page = reviewer_client.get(url(claims["verdict"].article)).content.decode()
    table = summary(page)
    assert page.index('class="report-summary"') < page.index('class="report-claim"')
    headers = re.findall(r'<th scope="col">([^<]*)</th>', table)
    assert headers == ["#", "Claim", "Rating", "Status", "Reviewer"]
    row = table[table.index(f'href="#claim-{claims["verdict"].pk}"') :]
    row = row[: row.index("</tr>")]
    assert "<strong>False</strong>" in row
    assert "In review" in row
    # The reviewer is who wrote the verdict.
    assert claims["verdict"].verdict.author.display_name in row
    assigned = table[table.index(f'href="#claim-{claims["assigned"].pk}"') :]
    assert claims["assigned"].assignee.display_name in assigned[: assigned.index("</tr>")]
    sourced = table[table.index(f'href="#claim-{claims["sourced"].pk}"') :]
    assert "Nobody yet" in sourced[: sourced.index("</tr>")]


def test_claims_nobody_worked_on_are_left_out_unless_asked(reviewer_client, claims):
    article = claims["verdict"].article
    page = reviewer_client.get(url(article)).content.decode()
    # In reading order.
    worked = [claims[n].pk for n in ("verdict", "sourced", "assigned", "dismissed")]
    assert sections(page) == [str(pk) for pk in worked]
    assert summary(page).count("<tr>") == 1 + 4
    assert "2 nobody has worked on yet are left out." in page
    assert f'href="{url(article)}?all=1">Show all 6 claims</a>' in page

    page = reviewer_client.get(url(article), {"all": "1"}).content.decode()
    assert sections(page) == [str(c.pk) for c in sorted(claims.values(), key=lambda c: c.start)]
    assert summary(page).count("<tr>") == 1 + 6
    assert "Every claim, including those nobody has worked on yet." in page
    assert f'href="{url(article)}">Show only the claims worked on</a>' in page


def test_article_nobody_worked_on_says_so(reviewer_client, article):
    claim(article, 0)
    claim(article, 1)
    page = reviewer_client.get(url(article)).content.decode()
    assert sections(page) == []
    assert 'class="report-summary"' not in page  # no empty summary table
    assert "Nobody has worked on this article's 2 claims yet." in page
    assert f'href="{url(article)}?all=1">Show them</a>' in page


def test_article_without_claims(reviewer_client, article):
    page = reviewer_client.get(url(article)).content.decode()
    assert "This article has no claims." in page
    assert 'class="report-summary"' not in page
    assert "left out" not in page


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({}, "The Daily Example · Jane Doe · 3 Jan 2025 · "),
        ({"outlet": "", "author": ""}, "3 Jan 2025 · "),
        ({"outlet": "", "author": "", "published_date": None}, ""),
        ({"source_url": ""}, "The Daily Example · Jane Doe · 3 Jan 2025"),
        ({"source_url": "", "published_date": None, "author": "  "}, "The Daily Example"),
    ],
)
def test_no_stray_separators_in_the_article_details(reviewer_client, workspace, details, expected):
    fields = {
        "outlet": "The Daily Example",
        "author": "Jane Doe",
        "published_date": "2025-01-03",
        "source_url": "https://n.example/b",
    } | details
    article = ArticleFactory(workspace=workspace, body=BODY, title="Budget story", **fields)
    page = reviewer_client.get(url(article)).content.decode()
    line = re.search(r'<p class="muted report-details">(.*?)</p>', page)
    if not any(str(v).strip() for v in fields.values() if v):
        assert line is None
        return
    text = re.sub(r"<[^>]+>", "", line.group(1))
    assert text == expected + (fields["source_url"] if fields["source_url"] else "")
    assert not text.startswith(" · ") and not text.endswith(" · ") and " ·  · " not in text


def test_no_empty_sections_for_a_bare_claim(reviewer_client, workspace, article, reviewer):
    bare = claim(article, 0, assignee=reviewer, status="assigned")
    page = reviewer_client.get(url(article)).content.decode()
    section = page[page.index(f'id="claim-{bare.pk}"') :]
    section = section[: section.index("</section>")]
    assert "<h3>" not in section  # no "Sources" or "Corrections" heading over nothing
    assert "No sources." in section and "No verdict yet" in section
    assert "Written by" not in section and "Approved by" not in section


def test_pdf_holds_the_claims_the_member_was_looking_at(
    reviewer_client, claims, monkeypatch, django_capture_on_commit_callbacks
):
    html = []
    monkeypatch.setattr(reports, "render_pdf", lambda text: html.append(text) or b"%PDF-1.7")
    article = claims["verdict"].article
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(url(article, "article_report_pdf_build"))
    assert response["Location"] == url(article) + "#report-pdf"
    assert len(sections(html[-1])) == 4
    assert "?all=1" not in html[-1]  # no links to a toggle in print
    page = reviewer_client.get(url(article)).content.decode()
    assert "(the claims worked on, built" in page and "Build it again" in page
    # Looking at all claims, the page offers the PDF of those, and builds it.
    page = reviewer_client.get(url(article), {"all": "1"}).content.decode()
    assert "Build a PDF of all claims" in page
    assert '<input type="hidden" name="all" value="1">' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(url(article, "article_report_pdf_build"), {"all": "1"})
    assert response["Location"] == url(article) + "?all=1#report-pdf"
    assert len(sections(html[-1])) == 6
    assert ReportPdf.objects.get(article=article).all_claims is True
    page = reviewer_client.get(url(article), {"all": "1"}).content.decode()
    assert "(all claims, built" in page


def test_htmx_build_and_polling_keep_the_choice(
    reviewer_client, claims, django_capture_on_commit_callbacks
):
    article = claims["verdict"].article
    with django_capture_on_commit_callbacks():  # the worker has not run yet
        response = reviewer_client.post(
            url(article, "article_report_pdf_build"), {"all": "1"}, headers={"HX-Request": "true"}
        )
    region = response.content.decode()
    assert region.lstrip().startswith('<div id="report-pdf"')
    assert f'hx-get="{url(article)}?all=1"' in region


def test_asking_for_the_other_choice_while_waiting_sends_again(
    reviewer_client, claims, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(reports, "render_pdf", lambda text: b"%PDF-1.7")
    article = claims["verdict"].article
    with django_capture_on_commit_callbacks() as first:
        reviewer_client.post(url(article, "article_report_pdf_build"))
    with django_capture_on_commit_callbacks() as same:
        reviewer_client.post(url(article, "article_report_pdf_build"))
    with django_capture_on_commit_callbacks() as other:
        reviewer_client.post(url(article, "article_report_pdf_build"), {"all": "1"})
    assert (len(first), len(same), len(other)) == (1, 0, 1)
    # The first task, started before the change, would build the old choice: it leaves the
    # row to the second one.
    report = ReportPdf.objects.get(article=article)
    assert report.all_claims is True and report.status == "queued"
    other[0]()
    assert ReportPdf.objects.get(article=article).status == "done"


def test_query_count_is_the_same_with_all_claims(
    reviewer_client, claims, django_assert_num_queries
):
    article = claims["verdict"].article
    reviewer_client.get(url(article))
    with django_assert_num_queries(11):
        reviewer_client.get(url(article))
    with django_assert_num_queries(11):
        reviewer_client.get(url(article), {"all": "1"})


def test_outsider_and_wrong_method(outsider_client, reviewer_client, claims):
    article = claims["verdict"].article
    assert outsider_client.get(url(article), {"all": "1"}).status_code == 404
    assert (
        outsider_client.post(url(article, "article_report_pdf_build"), {"all": "1"}).status_code
        == 404
    )
    assert not ReportPdf.objects.filter(article=article).exists()
    assert reviewer_client.post(url(article) + "?all=1").status_code == 405
