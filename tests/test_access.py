"""Access rules every page obeys: login required, workspace isolation, allowed methods."""

import pytest
from django.urls import reverse

from claims.models import Article, Claim, Verdict
from tests.factories import ClaimFactory, SourceFactory, VerdictFactory
from tests.urls_catalogue import ACCOUNT_URLS, APP_URLS, PUBLIC_URLS, named_urls, url_for


def objects_of(workspace):
    claim = ClaimFactory(article__workspace=workspace)
    SourceFactory(claim=claim)
    verdict = VerdictFactory(claim=claim)
    return {"workspace": workspace, "article": claim.article, "claim": claim, "verdict": verdict}


@pytest.fixture
def mine(workspace):
    return objects_of(workspace)


@pytest.fixture
def theirs(other_workspace):
    return objects_of(other_workspace)


def test_catalogue_covers_every_url():
    assert named_urls() == set(APP_URLS) | PUBLIC_URLS | ACCOUNT_URLS


@pytest.mark.parametrize("name", sorted(APP_URLS))
def test_anonymous_is_sent_to_login(client, mine, name):
    url = url_for(name, mine)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(APP_URLS))
def test_member_can_open_every_page(reviewer_client, mine, name):
    response = reviewer_client.get(url_for(name, mine), follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize("name", [n for n, (kind, _) in APP_URLS.items() if kind])
def test_other_workspace_objects_are_not_found(reviewer_client, mine, theirs, name):
    # Their workspace by name: the reviewer is not a member.
    assert reviewer_client.get(url_for(name, theirs)).status_code == 404
    # Their object under our workspace's URL: never found either.
    if APP_URLS[name][0] != "workspace":
        mixed = {**theirs, "workspace": mine["workspace"]}
        assert reviewer_client.get(url_for(name, mixed)).status_code == 404


def test_other_workspace_content_never_appears_on_our_pages(reviewer_client, mine, theirs):
    theirs["claim"].article.title = "Secret rival scoop"
    theirs["claim"].article.save()
    for name in APP_URLS:
        response = reviewer_client.get(url_for(name, mine), follow=True)
        assert b"Secret rival scoop" not in response.content


@pytest.mark.parametrize("name", [n for n, (_, writes) in APP_URLS.items() if not writes])
def test_read_only_pages_refuse_post(reviewer_client, mine, name):
    counts = (Article.objects.count(), Claim.objects.count(), Verdict.objects.count())
    response = reviewer_client.post(url_for(name, mine))
    assert response.status_code == 405
    assert counts == (Article.objects.count(), Claim.objects.count(), Verdict.objects.count())
