"""The exported ClaimReview passes an independent validator: the npm package
structured-data-testing-tool (sdtt) with its Google preset, installed by .ci/run from the
lock in .ci/node (npm ci --prefix .ci/node).

Each verdict is published the way the desk does it (real upload or URL intake, the desk's
workflow functions), its markup is taken from the real download and from the public page,
written into an HTML page, and handed to the validator's command line. A broken markup must
fail it, so these tests can fail. The validator runs offline: where the machine allows it, it
runs in a namespace without network (unshare -rn), which proves it.

Without the tool these tests are skipped, except in CI (CI set), where they fail.
"""

import json
import os
import re
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims import attribution, desk
from claims.claimreview import json_ld, publication_problems
from claims.ingest import fetch
from claims.models import Article, Membership, Verdict
from tests.conftest import ROOT
from tests.exports.test_claimreview import loaded
from tests.ingest.conftest import ARTICLE_HTML

pytestmark = [pytest.mark.usefixtures("eager_tasks")]

SDTT = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "sdtt"
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
CLAIMREVIEW_GROUP = re.compile(
    r"Google > ClaimReview > #0 \(jsonld\) - \d+% \((\d+) passed, (\d+) failed\)"
)


def validator() -> list[str]:
    """The command that runs sdtt, offline where the machine can cut the network."""
    tool = str(SDTT) if SDTT.exists() else shutil.which("sdtt")
    if not tool or not shutil.which("node"):
        message = "structured-data-testing-tool is not installed (npm ci --prefix .ci/node)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    offline = ["unshare", "-rn"]
    if (
        shutil.which("unshare")
        and subprocess.run([*offline, "true"], capture_output=True).returncode == 0
    ):
        return [*offline, tool]
    return [tool]


def validate(html: str, tmp_path) -> subprocess.CompletedProcess:
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    return subprocess.run(
        [*validator(), "--file", str(page), "--presets", "Google"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "FORCE_COLOR": "0"},
    )


def page_with(markup: dict) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fact check</title>'
        f'<script type="application/ld+json">{json_ld(markup)}</script></head><body></body></html>'
    )


def assert_valid(html: str, tmp_path) -> None:
    result = validate(html, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The ClaimReview tests ran (a page without markup passes too) and none failed or warned.
    [(passed, failed)] = CLAIMREVIEW_GROUP.findall(output)
    assert int(passed) >= 8 and failed == "0", output
    assert "with 0 warnings" in output, output


# --- Publishing as the desk does ------------------------------------------------------------


def members(workspace, reviewer, editor):
    return (
        Membership.objects.get(workspace=workspace, user=reviewer),
        Membership.objects.get(workspace=workspace, user=editor),
    )


def submitted_verdict(workspace, article, reviewer, editor) -> Verdict:
    """The reviewer takes the article's claim about crime, attributes it, adds a source and
    submits a verdict."""
    mine, _ = members(workspace, reviewer, editor)
    claim = article.claims.get(text__contains="crime")
    desk.take_claim(membership=mine, claim=claim)
    attribution.attribute_claim(
        membership=mine,
        claim=claim,
        claimant="Mayor Ann Lee",
        claimant_kind="person",
        claim_date=None,
        appearance_url="",
        restatement="Crime in the city fell by half last year",
    )
    desk.add_source(
        membership=mine,
        claim=claim,
        url="https://police.example.org/annual-report",
        title="Annual report",
        stance="refutes",
    )
    verdict = desk.save_verdict(
        membership=mine,
        claim=claim,
        rating=workspace.ratings.get(label="False"),
        summary="Police data show a 4 percent fall.",
        explanation="The annual report records 4 percent fewer offences.",
        version=None,
    )
    return desk.submit_verdict(membership=mine, verdict=verdict, version=verdict.version)


def publish(workspace, verdict, reviewer, editor) -> Verdict:
    _, editor_membership = members(workspace, reviewer, editor)
    verdict = loaded(verdict)
    return desk.publish_verdict(
        membership=editor_membership, verdict=verdict, version=verdict.version
    )


def exported_markup(client, workspace) -> dict:
    response = client.get(
        reverse("queue_export", args=[workspace.slug]),
        {"format": "claimreview", "status": "published"},
    )
    assert response.status_code == 200
    [markup] = json.loads(b"".join(response.streaming_content))
    return markup


def public_page(client, verdict) -> str:
    url = reverse("public_verdict", args=[verdict.claim.workspace.slug, verdict.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- The two ways an article arrives ---------------------------------------------------------


def test_an_uploaded_html_article_gets_valid_markup(
    reviewer_client,
    editor_client,
    reviewer,
    editor,
    workspace,
    tmp_path,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.SITE_URL = "https://checks.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(
            reverse("article_new", args=[workspace.slug]),
            {"source": "upload", "file": SimpleUploadedFile("bugle.html", ARTICLE_HTML.encode())},
        )
    article = Article.objects.get()
    assert article.extraction_status == "done", article.extraction_error
    verdict = submitted_verdict(workspace, article, reviewer, editor)

    # A saved file has no address: the verdict form says so, with the link to fix it.
    edit_url = reverse("article_edit", args=[workspace.slug, article.pk])
    [error] = publication_problems(loaded(verdict)).errors
    assert (error.fix_url, error.message.startswith("The article has no URL")) == (edit_url, True)
    form_page = editor_client.get(verdict.claim.get_absolute_url()).content.decode()
    assert "The article has no URL" in form_page and f'href="{edit_url}"' in form_page

    fixed = editor_client.post(
        edit_url,
        {
            "title": article.title,
            "source_url": "https://bugle.example.com/2024/03/crime",
            "outlet": article.outlet,
            "author": article.author,
            "published_date": article.published_date.isoformat(),
        },
    )
    assert fixed.status_code == 302
    assert publication_problems(loaded(verdict)).errors == []
    verdict = publish(workspace, verdict, reviewer, editor)

    markup = exported_markup(reviewer_client, workspace)
    assert markup["claimReviewed"] == "Crime in the city fell by half last year"
    assert markup["itemReviewed"]["author"] == {"@type": "Person", "name": "Mayor Ann Lee"}
    assert (
        markup["itemReviewed"]["appearance"][0]["url"] == "https://bugle.example.com/2024/03/crime"
    )
    assert_valid(page_with(markup), tmp_path)
    # The public page carries the same markup, and passes as served.
    page = public_page(reviewer_client, verdict)
    assert [json.loads(block) for block in LD_JSON.findall(page)] == [markup]
    assert_valid(page, tmp_path)


def test_a_url_article_gets_valid_markup(
    reviewer_client,
    reviewer,
    editor,
    workspace,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.SITE_URL = "https://checks.example.org"
    address = "https://bugle.example.com/2024/03/mayor-crime"

    def fetched(url, **limits):
        return fetch.FetchedPage(
            url_final=url,
            status=200,
            content_type="text/html",
            body=ARTICLE_HTML.encode(),
            charset="utf-8",
        )

    monkeypatch.setattr(fetch, "fetch_url", fetched)
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(
            reverse("article_new", args=[workspace.slug]), {"source": "url", "url": address}
        )
    article = Article.objects.get()
    assert article.extraction_status == "done", article.extraction_error
    verdict = submitted_verdict(workspace, article, reviewer, editor)
    assert publication_problems(loaded(verdict)).errors == []
    verdict = publish(workspace, verdict, reviewer, editor)

    markup = exported_markup(reviewer_client, workspace)
    appearance = markup["itemReviewed"]["appearance"][0]
    assert (appearance["url"], appearance["author"]["name"]) == (address, "Jane Doe")
    assert_valid(page_with(markup), tmp_path)
    assert_valid(public_page(reviewer_client, verdict), tmp_path)


# --- The validator is not a rubber stamp -----------------------------------------------------

VALID = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://checks.example.org/fact-checks/daily-example/1/",
    "claimReviewed": "Crime fell by half",
    "datePublished": "2025-03-14",
    "author": {"@type": "Organization", "name": "Daily Example", "url": "https://d.example/"},
    "reviewRating": {"@type": "Rating", "alternateName": "False"},
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "Ann Lee"}},
}


def test_the_reference_markup_passes(tmp_path):
    assert_valid(page_with(VALID), tmp_path)


@pytest.mark.parametrize("missing", ["claimReviewed", "reviewRating", "url"])
def test_markup_without_what_google_requires_fails(tmp_path, missing):
    broken = {key: value for key, value in VALID.items() if key != missing}
    result = validate(page_with(broken), tmp_path)
    assert result.returncode != 0, result.stdout
    assert f"{missing} [ClaimReview[0].{missing}]" in result.stdout


def test_markup_without_the_recommended_parts_warns(tmp_path):
    weak = {key: value for key, value in VALID.items() if key not in ("author", "itemReviewed")}
    result = validate(page_with(weak), tmp_path)
    assert result.returncode == 0
    assert "with 2 warnings" in result.stdout
    with pytest.raises(AssertionError):
        assert_valid(page_with(weak), tmp_path)
