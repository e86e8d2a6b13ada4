"""Database constraints hold the domain's rules even when code forgets them."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.models import Claim, Membership, Rating, Role, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    UserFactory,
    VerdictFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.django_db


def refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_claim_offsets_must_lie_inside_the_article():
    article = ArticleFactory(body="Short body.")
    with pytest.raises(ValueError, match="outside the article"):
        article.add_claim(start=5, end=50)
    with pytest.raises(ValueError):
        article.add_claim(start=-1, end=3)
    claim = article.add_claim(start=0, end=5)
    assert claim.text == "Short"
    assert claim.workspace == article.workspace


def test_claim_text_must_match_its_span():
    article = ArticleFactory()
    refused(
        lambda: Claim.objects.create(
            workspace=article.workspace, article=article, start=0, end=3, text="longer"
        )
    )


def test_claim_span_is_unique_per_article():
    claim = ClaimFactory()
    refused(lambda: claim.article.add_claim(start=claim.start, end=claim.end))


def test_claim_span_cannot_be_empty_or_reversed():
    article = ArticleFactory()
    refused(
        lambda: Claim.objects.create(
            workspace=article.workspace, article=article, start=4, end=4, text=""
        )
    )


@pytest.mark.parametrize("score", [-0.1, 1.5])
def test_claim_score_is_between_0_and_1(score):
    claim = ClaimFactory()
    claim.score = score
    refused(claim.save)


def test_claim_being_worked_on_needs_an_assignee():
    claim = ClaimFactory()
    claim.status = Claim.Status.RESEARCHING
    refused(claim.save)
    claim.assignee = UserFactory()
    claim.save()


def test_claim_status_must_be_known():
    claim = ClaimFactory()
    refused(lambda: Claim.objects.filter(pk=claim.pk).update(status="maybe"))


def test_nobody_approves_their_own_verdict():
    verdict = VerdictFactory()
    verdict.approved_by = verdict.author
    refused(verdict.save)


def test_published_verdict_needs_rating_approver_and_date():
    verdict = VerdictFactory()
    verdict.status = Verdict.Status.PUBLISHED
    refused(verdict.save)
    verdict.approved_by = UserFactory()
    verdict.published_at = timezone.now()
    verdict.save()
    verdict.rating = None
    refused(verdict.save)


def test_membership_is_unique_and_role_valid():
    membership = Membership.objects.create(
        user=UserFactory(), workspace=WorkspaceFactory(), role=Role.EDITOR
    )
    refused(lambda: Membership.objects.create(user=membership.user, workspace=membership.workspace))
    refused(lambda: Membership.objects.filter(pk=membership.pk).update(role="owner"))


def test_rating_labels_unique_per_workspace_ignoring_case():
    first, second = WorkspaceFactory(), WorkspaceFactory()
    refused(lambda: Rating.objects.create(workspace=first, label="TRUE", value=5))
    Rating.objects.create(workspace=second, label="Satire")
    refused(lambda: Rating.objects.create(workspace=second, label="Odd", value=0))


def test_default_scale_has_numeric_and_non_numeric_ratings():
    workspace = WorkspaceFactory()
    labels = dict(workspace.ratings.values_list("label", "value"))
    assert labels == dict(Rating.DEFAULT_SCALE)
    assert workspace.rating_bounds() == (1, 5)
    workspace.install_default_ratings()  # twice changes nothing
    assert workspace.ratings.count() == len(Rating.DEFAULT_SCALE)


def test_article_url_unique_per_workspace_only():
    article = ArticleFactory(source_url="https://news.example.org/a")
    refused(lambda: ArticleFactory(workspace=article.workspace, source_url=article.source_url))
    ArticleFactory(source_url=article.source_url)  # another workspace may have it too


def test_pasted_article_needs_text():
    refused(lambda: ArticleFactory(body=""))
    ArticleFactory(body="", origin="url", source_url="https://news.example.org/later")


def test_email_addresses_are_unique_ignoring_case():
    UserFactory(username="one", email="Reporter@Example.org")
    refused(lambda: UserFactory(username="two", email="reporter@example.org"))
    UserFactory(username="three", email="")
    UserFactory(username="four", email="")
