"""factory_boy factories for the domain. Build a consistent object graph in one call."""

import datetime
import secrets

import factory
from django.utils import timezone

from claims.models import (
    Article,
    Claim,
    Comment,
    Invitation,
    Membership,
    Rating,
    Role,
    Source,
    User,
    Verdict,
    Workspace,
)

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    password = factory.django.Password(PASSWORD)


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Newsroom {n}")
    slug = factory.Sequence(lambda n: f"newsroom-{n}")
    organisation_name = factory.LazyAttribute(lambda w: f"{w.name} Fact Check")
    organisation_url = "https://factcheck.example.org/"

    @factory.post_generation
    def ratings(obj, create, extracted, **kwargs):
        if create:
            obj.install_default_ratings()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Role.REVIEWER


ARTICLE_BODY = (
    "Unemployment fell to 3.9 percent in March, the labour ministry said on Friday.\n"
    "The city spent $12 million on the new bridge, twice the original budget.\n"
    "What a time to be alive!"
)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Article {n}")
    body = factory.Sequence(lambda n: f"{ARTICLE_BODY}\nArticle number {n}.")
    outlet = "The Daily Example"
    origin = Article.Origin.PASTED
    extraction_status = Article.Status.DONE


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim over the first sentence of its article's body."""

    class Meta:
        model = Claim

    article = factory.SubFactory(ArticleFactory)
    workspace = factory.SelfAttribute("article.workspace")
    start = 0
    end = factory.LazyAttribute(lambda c: c.article.body.index("\n"))
    text = factory.LazyAttribute(lambda c: c.article.body[c.start : c.end])
    score = 0.8


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    claim = factory.SubFactory(ClaimFactory)
    url = factory.Sequence(lambda n: f"https://stats.example.org/report/{n}")
    title = "Official statistics"
    publisher = "Statistics Office"
    stance = Source.Stance.SUPPORTS


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    claim = factory.SubFactory(ClaimFactory)
    body = "Checked the ministry release."


class VerdictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Verdict

    claim = factory.SubFactory(ClaimFactory)
    author = factory.SubFactory(UserFactory)
    last_edited_by = factory.SelfAttribute("author")
    rating = factory.LazyAttribute(
        lambda v: Rating.objects.filter(workspace=v.claim.workspace, label="Mostly true").first()
    )
    summary = "Close to the official figure."
    explanation = "The ministry reported 3.9 percent."


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation by user name, pending for 14 days; `.token` is the secret of its link."""

    class Meta:
        model = Invitation

    workspace = factory.SubFactory(WorkspaceFactory)
    invitee = factory.Sequence(lambda n: f"invitee{n}")
    role = Role.REVIEWER
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token_hash = factory.LazyAttribute(lambda i: Invitation.hash_token(i.token))

    @classmethod
    def _create(cls, model_class, *args, token, **kwargs):
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.token = token
        return invitation
