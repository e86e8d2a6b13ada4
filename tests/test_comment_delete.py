"""A comment is removed by its author or a workspace admin, from the claim page."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Activity, Comment, Membership
from tests.conftest import client_for
from tests.factories import ClaimFactory, CommentFactory

HTMX = {"HX-Request": "true"}
REFUSAL = "Only the comment's author or a workspace admin can remove it."


def url(comment):
    claim = comment.claim
    return reverse("comment_delete", args=[claim.workspace.slug, claim.pk, comment.pk])


def claim_page(claim):
    return reverse("claim_detail", args=[claim.workspace.slug, claim.pk])


@pytest.fixture
def claim(workspace):
    return ClaimFactory(article__workspace=workspace)


@pytest.fixture
def comment(claim, reviewer):
    return CommentFactory(claim=claim, author=reviewer, body="Called the ministry: 555-0100.")


@pytest.fixture
def admin_client_(admin_member):
    return client_for(admin_member)


def test_the_author_removes_their_comment(reviewer_client, reviewer, comment):
    claim = comment.claim
    kept = CommentFactory(claim=claim, author=reviewer, body="The release is dated Friday.")
    response = reviewer_client.post(url(comment), follow=True)
    assert response.redirect_chain == [(claim_page(claim), 302)]
    page = response.content.decode()
    assert "Comment removed." in page
    assert "555-0100" not in page
    assert "The release is dated Friday." in page
    assert list(Comment.objects.values_list("pk", flat=True)) == [kept.pk]
    event = Activity.objects.get(verb=Activity.Verb.COMMENT_REMOVED)
    assert (event.actor, event.claim, event.article_id) == (reviewer, claim, claim.article_id)
    # Who wrote it, never what it said.
    assert event.detail == {"author": "rita"}
    assert "removed a comment" in page


def test_an_admin_removes_anyone_s_comment(admin_client_, comment):
    assert admin_client_.post(url(comment)).status_code == 302
    assert not Comment.objects.exists()


def test_a_comment_whose_author_left_can_still_be_removed_by_an_admin(
    admin_client_, editor_client, claim
):
    orphan = CommentFactory(claim=claim, author=None)
    assert editor_client.post(url(orphan)).status_code == 403
    assert admin_client_.post(url(orphan)).status_code == 302
    assert not Comment.objects.exists()


@pytest.mark.parametrize("who", ["editor_client", "other_reviewer"])
def test_others_are_refused(request, who, comment, workspace):
    if who == "other_reviewer":
        from tests.conftest import _member

        client = client_for(_member(workspace, "ruth", "reviewer"))
    else:
        client = request.getfixturevalue(who)
    response = client.post(url(comment))
    assert response.status_code == 403
    assert REFUSAL in unescape(response.content.decode())
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert not Activity.objects.filter(verb=Activity.Verb.COMMENT_REMOVED).exists()


def test_outsiders_find_nothing_and_change_nothing(outsider, comment, other_workspace):
    Membership.objects.filter(user=outsider).update(role="admin")
    client = client_for(outsider)
    assert client.post(url(comment)).status_code == 404
    claim = comment.claim
    theirs = reverse("comment_delete", args=[other_workspace.slug, claim.pk, comment.pk])
    assert client.post(theirs).status_code == 404
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_a_comment_of_another_claim_is_not_found(reviewer_client, comment, workspace):
    other_claim = ClaimFactory(article__workspace=workspace)
    wrong = reverse("comment_delete", args=[workspace.slug, other_claim.pk, comment.pk])
    assert reviewer_client.post(wrong).status_code == 404
    assert Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_wrong_method(reviewer_client, comment, method):
    assert getattr(reviewer_client, method)(url(comment)).status_code == 405
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_htmx_answers_with_the_comments_and_history(reviewer_client, comment):
    response = reviewer_client.post(url(comment), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="comments"')
    assert "No comments yet." in html
    assert 'id="claim-history"' in html and "removed a comment" in html
    assert "Comment removed." in html  # the messages region, swapped out of band
    assert not Comment.objects.exists()


def test_htmx_refusal_keeps_the_comment(editor_client, comment):
    response = editor_client.post(url(comment), headers=HTMX)
    assert response.status_code == 403
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="comments"')
    assert "555-0100" in html
    assert REFUSAL in unescape(html)
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_the_remove_button_shows_for_the_author_and_admins_only(
    reviewer_client, editor_client, admin_client_, comment, editor
):
    mine = CommentFactory(claim=comment.claim, author=editor, body="Editor's note.")
    page = {
        who: client.get(claim_page(comment.claim)).content.decode()
        for who, client in [
            ("reviewer", reviewer_client),
            ("editor", editor_client),
            ("admin", admin_client_),
        ]
    }
    assert f'action="{url(comment)}"' in page["reviewer"]
    assert f'action="{url(mine)}"' not in page["reviewer"]
    assert f'action="{url(comment)}"' not in page["editor"]
    assert f'action="{url(mine)}"' in page["editor"]
    assert f'action="{url(comment)}"' in page["admin"] and f'action="{url(mine)}"' in page["admin"]


def test_claim_page_queries_do_not_grow_with_removable_comments(
    admin_client_, claim, admin_member, django_assert_num_queries
):
    """The button's rule reads loaded rows only. (The claim page's own count is pinned by
    its tests; this pins that removable comments add none.)"""
    CommentFactory(claim=claim, author=admin_member)
    admin_client_.get(claim_page(claim))
    with CaptureQueriesContext(connection) as one:
        admin_client_.get(claim_page(claim))
    for _ in range(30):
        CommentFactory(claim=claim, author=admin_member)
    with django_assert_num_queries(len(one)):
        page = admin_client_.get(claim_page(claim)).content.decode()
    assert page.count(">Remove</button>") == 31
