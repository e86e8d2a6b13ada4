"""Workspace admins delete an article in the app, never one with a published verdict."""

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import curation, desk
from claims.models import (
    Activity,
    Article,
    Claim,
    Comment,
    Membership,
    Notification,
    Source,
    Verdict,
)
from tests.conftest import client_for
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    CommentFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)

HTMX = {"HX-Request": "true"}
CONFIRM = {"confirm": "delete"}


def url(article, name="article_delete"):
    return reverse(name, args=[article.workspace.slug, article.pk])


def counts():
    return [m.objects.count() for m in (Article, Claim, Verdict, Source, Comment, Notification)]


@pytest.fixture
def admin_client_(admin_member):
    return client_for(admin_member)


@pytest.fixture
def article(workspace, editor):
    """Two claims, one with a draft verdict, a source, two comments and a notification."""
    claim = ClaimFactory(article__workspace=workspace, article__title="Spam press release")
    second = claim.article.add_claim(start=claim.end + 1, end=claim.end + 20)
    VerdictFactory(claim=claim, author=editor)
    SourceFactory(claim=claim)
    CommentFactory(claim=claim, author=editor)
    CommentFactory(claim=second, author=editor)
    Notification.objects.create(
        recipient=editor, workspace=workspace, claim=claim, message="assigned you"
    )
    return claim.article


@pytest.fixture
def unrelated(workspace):
    """Another article of the workspace: it must survive every deletion here."""
    return ClaimFactory(article__workspace=workspace, article__title="Keep me").article


def publish(claim, *, author, approver):
    verdict = Verdict.objects.get(claim=claim)
    Verdict.objects.filter(pk=verdict.pk).update(
        status=Verdict.Status.PUBLISHED,
        author=author,
        approved_by=approver,
        published_at=timezone.now(),
    )
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PUBLISHED)


def test_confirm_page_says_what_goes_with_it(admin_client_, article):
    page = admin_client_.get(url(article)).content.decode()
    assert "Delete “Spam press release”?" in page
    assert "2 claims" in page and "1 verdict" in page
    assert "1 source and 2 comments" in page
    assert 'name="confirm" value="delete"' in page
    assert counts()[0] == 1


def test_admin_deletes_the_article_and_all_that_hangs_off_it(
    admin_client_, admin_member, article, unrelated
):
    response = admin_client_.post(url(article), CONFIRM, follow=True)
    dashboard = reverse("dashboard", args=[article.workspace.slug])
    assert response.redirect_chain == [(dashboard, 302)]
    page = response.content.decode()
    assert "“Spam press release” deleted, with its 2 claims." in page
    assert "Spam press release</a>" not in page
    assert list(Article.objects.values_list("pk", flat=True)) == [unrelated.pk]
    # Only the unrelated article's claim is left, and nothing of the deleted one.
    assert counts() == [1, 1, 0, 0, 0, 0]
    event = Activity.objects.get(verb=Activity.Verb.ARTICLE_DELETED)
    assert event.actor == admin_member and event.article is None
    assert event.detail == {
        "article": article.pk,
        "title": "Spam press release",
        "claims": 2,
        "verdicts": 1,
    }


def test_htmx_deletion_redirects_the_browser(admin_client_, article):
    response = admin_client_.post(url(article), CONFIRM, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("dashboard", args=[article.workspace.slug])
    assert not Article.objects.filter(pk=article.pk).exists()
    assert (
        "deleted, with its 2 claims" in admin_client_.get(response["HX-Redirect"]).content.decode()
    )


def test_a_post_without_the_confirmation_deletes_nothing(admin_client_, article):
    before = counts()
    response = admin_client_.post(url(article))
    assert response.status_code == 400
    assert "Confirm the deletion with the button on this page." in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("who", ["editor_client", "reviewer_client"])
def test_only_admins(request, who, article):
    client = request.getfixturevalue(who)
    before = counts()
    assert client.get(url(article)).status_code == 403
    assert client.post(url(article), CONFIRM).status_code == 403
    assert client.post(url(article), CONFIRM, headers=HTMX).status_code == 403
    assert counts() == before
    assert not Activity.objects.filter(verb=Activity.Verb.ARTICLE_DELETED).exists()


def test_the_write_path_checks_the_role_itself(workspace, editor, article):
    membership = Membership.objects.get(user=editor, workspace=workspace)
    with pytest.raises(desk.NotAllowed, match="Only a workspace admin"):
        curation.delete_article(membership=membership, article=article)
    assert Article.objects.filter(pk=article.pk).exists()


def test_outsiders_find_nothing_and_change_nothing(outsider, article):
    # An admin elsewhere: the most powerful role, in the wrong workspace.
    Membership.objects.filter(user=outsider).update(role="admin")
    client = client_for(outsider)
    before = counts()
    assert client.get(url(article)).status_code == 404
    assert client.post(url(article), CONFIRM).status_code == 404
    theirs = reverse("article_delete", args=["rival-desk", article.pk])
    assert client.post(theirs, CONFIRM).status_code == 404
    assert counts() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_wrong_method(admin_client_, article, method):
    before = counts()
    assert getattr(admin_client_, method)(url(article)).status_code == 405
    assert counts() == before


def test_an_article_with_a_published_verdict_stays(admin_client_, admin_member, editor, article):
    claim = article.claims.get(verdict__isnull=False)
    publish(claim, author=editor, approver=admin_member)
    page = admin_client_.get(url(article)).content.decode()
    assert "This article has a published verdict: published fact-checks stay" in page
    assert 'name="confirm"' not in page
    before = counts()
    for headers in ({}, HTMX):
        response = admin_client_.post(url(article), CONFIRM, headers=headers)
        assert response.status_code == 403
        assert "published fact-checks stay, so it cannot be deleted" in response.content.decode()
    assert counts() == before
    assert not Activity.objects.filter(verb=Activity.Verb.ARTICLE_DELETED).exists()


def test_published_while_the_confirm_page_was_open(admin_client_, admin_member, editor, article):
    """The admin reads the page, an editor publishes a verdict, the admin confirms: refused."""
    assert 'name="confirm"' in admin_client_.get(url(article)).content.decode()
    publish(article.claims.get(verdict__isnull=False), author=editor, approver=admin_member)
    assert admin_client_.post(url(article), CONFIRM).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_duplicates_elsewhere_lose_only_the_link(admin_client_, workspace, article, unrelated):
    elsewhere = unrelated.claims.get()
    Claim.objects.filter(pk=elsewhere.pk).update(duplicate_of=article.claims.first())
    assert admin_client_.post(url(article), CONFIRM).status_code == 302
    elsewhere.refresh_from_db()
    assert elsewhere.duplicate_of is None


def test_confirm_page_queries_do_not_grow_with_claims(
    admin_client_, article, django_assert_num_queries
):
    admin_client_.get(url(article))
    with django_assert_num_queries(7):
        admin_client_.get(url(article))
    body = "A sentence that says 12 percent.\n" * 60
    big = ArticleFactory(workspace=article.workspace, body=body)
    for n in range(50):
        claim = big.add_claim(start=n * 33, end=n * 33 + 32)
        VerdictFactory(claim=claim, author=UserFactory())
        SourceFactory(claim=claim)
    with django_assert_num_queries(7):
        page = admin_client_.get(url(big)).content.decode()
    assert "50 claims" in page and "50 verdicts" in page and "50 sources" in page
