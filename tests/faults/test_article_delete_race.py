"""An admin deletes an article while an editor approves one of its verdicts, on PostgreSQL.

Published fact-checks stay: whichever process goes first, a verdict that was published is
never deleted with its article.
"""

import pytest

from claims.models import Activity, Article, Role, Verdict
from tests.factories import (
    ClaimFactory,
    MembershipFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
    WorkspaceFactory,
)
from tests.faults.test_races import race

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 10


def desk_with_a_submitted_verdict(number):
    workspace = WorkspaceFactory(name=f"Desk {number}", slug=f"desk-{number}")
    admin, author, approver = (
        MembershipFactory(
            user=UserFactory(username=f"{name}{number}"), workspace=workspace, role=role
        )
        for name, role in (("ada", Role.ADMIN), ("wes", Role.EDITOR), ("eve", Role.EDITOR))
    )
    claim = ClaimFactory(article__workspace=workspace, status="in_review", assignee=author.user)
    SourceFactory(claim=claim)
    verdict = VerdictFactory(claim=claim, author=author.user, status=Verdict.Status.SUBMITTED)
    return {"admin": admin, "approver": approver, "verdict": verdict, "article": claim.article}


def test_deleting_an_article_while_its_verdict_is_approved():
    desks = [desk_with_a_submitted_verdict(number) for number in range(ROUNDS)]
    publisher, deleter = race(
        "publish_or_delete",
        [
            {
                "kind": "publish",
                "rounds": [
                    {"membership": d["approver"].pk, "verdict": d["verdict"].pk} for d in desks
                ],
                "interval": 0.3,
            },
            {
                "kind": "delete",
                # From "at the same instant" to a little later: both orders get tried.
                "rounds": [
                    {"membership": d["admin"].pk, "article": d["article"].pk, "delay": n * 0.005}
                    for n, d in enumerate(desks)
                ],
                "interval": 0.3,
            },
        ],
    )
    for number, desk in enumerate(desks):
        published, deleted = publisher["rounds"][number], deleter["rounds"][number]
        article_left = Article.objects.filter(pk=desk["article"].pk).exists()
        outcome = f"round {number}: publish {published}, delete {deleted}"
        # Exactly one of the two happened, and the database agrees with what each was told.
        assert sorted([published["won"], deleted["won"]]) == [False, True], outcome
        assert article_left == published["won"], outcome
        if published["won"]:
            assert Verdict.objects.get(pk=desk["verdict"].pk).status == "published", outcome
            assert "published fact-checks stay" in deleted["message"], outcome
            assert not Activity.objects.filter(
                workspace=desk["article"].workspace_id, verb=Activity.Verb.ARTICLE_DELETED
            ).exists()
