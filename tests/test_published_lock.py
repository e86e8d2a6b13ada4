"""A published fact-check is locked: its sources change only through a correction.

The reviewer who researched it and any editor try to add, edit and remove a source through
the plain forms, htmx and the desk function; each is refused with the sentence that says why,
and the public page stays byte for byte as it was (as it does after what is still allowed,
such as commenting).
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from claims import desk
from claims.models import Claim, Membership, Source
from tests.conftest import client_for
from tests.factories import ClaimFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LOCKED = "This fact-check is published: propose a correction to change its sources."
# The page frame masks its CSRF token afresh on every request; everything else must be equal.
CSRF = re.compile(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def published(workspace, reviewer, editor):
    """rita researched and wrote it, another editor approved it; `editor` may correct it."""
    writer = Membership.objects.get(user=reviewer, workspace=workspace)
    approver = Membership.objects.create(user=UserFactory(), workspace=workspace, role="editor")
    claim = ClaimFactory(article__workspace=workspace)
    desk.assign_claim(membership=approver, claim=claim, assignee=reviewer)
    SourceFactory(claim=claim, excerpt="The police reported 11.8 percent.")
    verdict = desk.save_verdict(
        membership=writer,
        claim=claim,
        rating=workspace.ratings.get(label="Mostly true"),
        summary="Close.",
        explanation="Police figures.",
        version=0,
    )
    verdict = desk.submit_verdict(membership=writer, verdict=verdict, version=1)
    return desk.publish_verdict(membership=approver, verdict=verdict, version=verdict.version)


def public_html(verdict) -> str:
    """The public page as a reader gets it."""
    path = reverse("public_verdict", args=[verdict.claim.workspace.slug, verdict.pk])
    response = Client().get(path)
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode())


def sources():
    return list(Source.objects.order_by("pk").values_list("url", "title", "excerpt", "stance"))


def url(name, claim, **kw):
    return reverse(name, kwargs={"slug": claim.workspace.slug, "pk": claim.pk, **kw})


@pytest.mark.parametrize("who", ["reviewer", "editor"])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain-form", "htmx"])
def test_sources_of_a_published_verdict_cannot_change_through_the_page(
    published, who, headers, reviewer, editor
):
    claim = published.claim
    source = claim.sources.get()
    client = client_for(reviewer if who == "reviewer" else editor)
    before, rows = public_html(published), sources()
    edited = {"url": source.url, "title": "Other", "excerpt": "Made up.", "stance": "refutes"}
    attempts = (
        ("source_add", {}, {"url": "https://example.org/new", "stance": "context"}),
        ("source_edit", {"source_pk": source.pk}, edited),
        ("source_delete", {"source_pk": source.pk}, {}),
    )
    for name, kwargs, data in attempts:
        response = client.post(url(name, claim, **kwargs), data, headers=headers)
        assert response.status_code == 403, name
        assert LOCKED in response.content.decode()
        assert sources() == rows
        assert public_html(published) == before
    # Nor is the edit form offered.
    response = client.get(url("source_edit", claim, source_pk=source.pk), headers=headers)
    assert response.status_code == 403 and LOCKED in response.content.decode()


@pytest.mark.parametrize("who", ["reviewer", "editor"])
def test_the_desk_functions_refuse_too(published, workspace, who, reviewer, editor):
    membership = Membership.objects.get(
        user=reviewer if who == "reviewer" else editor, workspace=workspace
    )
    claim, before, rows = published.claim, public_html(published), sources()
    source = claim.sources.get()
    with pytest.raises(desk.NotAllowed, match=LOCKED):
        desk.add_source(membership=membership, claim=claim, url="https://example.org/new")
    with pytest.raises(desk.NotAllowed, match=LOCKED):
        desk.update_source(membership=membership, source=source, excerpt="Made up.")
    with pytest.raises(desk.NotAllowed, match=LOCKED):
        desk.remove_source(membership=membership, source=source)
    assert sources() == rows
    assert public_html(published) == before


def test_the_page_shows_no_source_controls_but_says_why(published, reviewer):
    claim = published.claim
    page = client_for(reviewer).get(claim.get_absolute_url()).content.decode()
    assert "its sources change only through a correction" in page
    assert "<summary>Add a source</summary>" not in page and 'id="source-add-form"' not in page
    assert url("source_delete", claim, source_pk=claim.sources.get().pk) not in page
    assert "Remove this source?" not in page


def test_allowed_actions_leave_the_public_page_as_it_was(published, reviewer, editor, workspace):
    claim = published.claim
    before = public_html(published)
    client = client_for(reviewer)
    response = client.post(url("comment_add", claim), {"body": "Checked again."}, headers=HTMX)
    assert response.status_code == 200
    assert public_html(published) == before
    # A refused verdict edit, a refused status change and linking as a duplicate change
    # nothing readers see either.
    data = {"rating": workspace.ratings.get(label="False").pk, "summary": "No.", "version": 9}
    assert client_for(editor).post(url("verdict_save", claim), data).status_code == 403
    assert client.post(url("claim_status", claim), {"status": "researching"}).status_code in (
        400,
        403,
    )
    original = ClaimFactory(article__workspace=workspace)
    membership = Membership.objects.get(user=editor, workspace=workspace)
    linked = desk.link_duplicates(
        membership=membership, original=original, claims=Claim.objects.filter(pk=claim.pk)
    )
    assert linked == 0
    assert public_html(published) == before


def test_a_proposed_correction_changes_nothing_public_until_approved(
    published, reviewer, workspace
):
    before, rows = public_html(published), sources()
    source = published.claim.sources.get()
    desk.propose_correction(
        membership=Membership.objects.get(user=reviewer, workspace=workspace),
        verdict=published,
        version=published.version,
        rating=workspace.ratings.get(label="False"),
        summary="Wrong.",
        explanation="",
        sources=[{"url": source.url, "excerpt": "Made up.", "stance": "refutes"}],
        reason="A new quote.",
    )
    assert sources() == rows
    assert public_html(published) == before
