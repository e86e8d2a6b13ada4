"""The claim page and its htmx forms, as a reviewer and an editor use them."""

import pytest
from django.urls import reverse

from claims.models import Claim, Source, Verdict
from tests.factories import ArticleFactory, SourceFactory, UserFactory, VerdictFactory

BODY = (
    "Opening paragraph with no numbers.\n"
    "The mayor said crime fell 12 percent in 2023. Residents were relieved.\n"
    "Closing paragraph."
)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def claim(workspace, reviewer):
    article = ArticleFactory(workspace=workspace, body=BODY, title="Crime story")
    start = BODY.index("The mayor")
    claim = article.add_claim(start=start, end=BODY.index("2023.") + 5, score=0.8)
    article.add_claim(start=0, end=34, score=0.2)
    claim.assignee = reviewer
    claim.status = "assigned"
    claim.save()
    return claim


def url(name, claim, **kw):
    return reverse(name, kwargs={"slug": claim.workspace.slug, "pk": claim.pk, **kw})


def test_shows_the_claim_in_its_paragraph_with_related_claims(reviewer_client, claim):
    page = reviewer_client.get(claim.get_absolute_url()).content.decode()
    assert (
        "<mark>The mayor said crime fell 12 percent in 2023.</mark> Residents were relieved."
        in page
    )
    assert "Opening paragraph with no numbers." in page  # related claim, in the sidebar
    assert 'id="verdict-form"' in page  # the assignee drafts
    assert 'data-counter="75"' in page


def test_other_reviewer_sees_but_cannot_edit(client, claim, workspace):
    from tests.conftest import _member

    bob = _member(workspace, "bobby", "reviewer")
    client.force_login(bob)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'id="verdict-form"' not in page
    assert 'id="source-add-form"' not in page
    assert "Take this claim" not in page  # already assigned


def test_claim_page_query_count_is_constant(reviewer_client, claim, django_assert_max_num_queries):
    reviewer_client.get(claim.get_absolute_url())
    with django_assert_max_num_queries(20) as few:
        reviewer_client.get(claim.get_absolute_url())
    for i in range(10):
        SourceFactory(claim=claim, added_by=UserFactory())
        claim.comments.create(author=UserFactory(), body=f"Note {i}")
    VerdictFactory(claim=claim, author=claim.assignee)
    for i in range(10):
        claim.article.add_claim(start=i, end=i + 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        reviewer_client.get(claim.get_absolute_url())


def test_add_source_over_htmx_returns_the_sources_section(reviewer_client, claim):
    response = reviewer_client.post(
        url("source_add", claim),
        {
            "url": "https://stats.example.org/crime",
            "title": "Crime statistics",
            "stance": "refutes",
        },
        headers=HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="sources"')
    assert "Crime statistics" in page
    # The header (status) and history come along, swapped out of band.
    assert '<div class="page-head" id="claim-header" hx-swap-oob="true">' in page
    assert (
        '<section id="claim-history" aria-labelledby="history-heading" hx-swap-oob="true">' in page
    )
    assert "added a source" in page
    assert "Source added." in page  # the message, out of band
    claim.refresh_from_db()
    assert claim.status == "researching"


@pytest.mark.parametrize(
    "bad", ["javascript:alert(1)", "ftp://files.example.org/x", "not a url", "data:text/html,x"]
)
def test_source_urls_must_be_web_addresses(reviewer_client, claim, bad):
    response = reviewer_client.post(url("source_add", claim), {"url": bad, "stance": "context"})
    assert response.status_code == 400
    assert not Source.objects.exists()
    assert (
        "Enter a valid URL" in response.content.decode() or "http://" in response.content.decode()
    )


def test_edit_and_remove_a_source(reviewer_client, claim):
    source = SourceFactory(claim=claim)
    edit = url("source_edit", claim, source_pk=source.pk)
    form = reviewer_client.get(edit, headers=HTMX).content.decode()
    assert form.lstrip().startswith("<form")
    reviewer_client.post(edit, {"url": "https://better.example.org", "stance": "supports"})
    source.refresh_from_db()
    assert source.url == "https://better.example.org"
    reviewer_client.post(url("source_delete", claim, source_pk=source.pk))
    assert not Source.objects.exists()


def test_source_of_another_claim_is_not_found(reviewer_client, claim, workspace):
    other = ArticleFactory(workspace=workspace).add_claim(start=0, end=5)
    source = SourceFactory(claim=other)
    response = reviewer_client.post(url("source_delete", claim, source_pk=source.pk))
    assert response.status_code == 404
    assert Source.objects.filter(pk=source.pk).exists()


def test_comment(reviewer_client, claim):
    response = reviewer_client.post(
        url("comment_add", claim), {"body": "  Called the police.  "}, headers=HTMX
    )
    assert "Called the police." in response.content.decode()
    assert claim.comments.get().body == "Called the police."
    response = reviewer_client.post(url("comment_add", claim), {"body": "   "}, headers=HTMX)
    assert response.status_code == 400
    assert claim.comments.count() == 1


def save(client, claim, version, summary, **extra):
    rating = claim.workspace.ratings.get(label="False")
    data = {
        "rating": rating.pk,
        "summary": summary,
        "explanation": "Data says no.",
        "version": version,
    }
    data.update(extra)
    return client.post(url("verdict_save", claim), data, headers=HTMX)


def test_verdict_draft_then_conflicting_save_keeps_the_text(reviewer_client, editor_client, claim):
    assert save(reviewer_client, claim, 0, "First draft").status_code == 200
    assert save(editor_client, claim, 1, "Editor's rewrite").status_code == 200
    response = save(reviewer_client, claim, 1, "Alice's late edit")
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this verdict first" in page
    assert "Editor&#x27;s rewrite" in page  # what is there now
    assert 'value="Alice&#x27;s late edit"' in page  # her text, kept in the form
    assert 'name="version" value="2"' in page  # saving again is a deliberate overwrite
    assert Verdict.objects.get().summary == "Editor's rewrite"
    assert save(reviewer_client, claim, 2, "Merged text").status_code == 200
    assert Verdict.objects.get().summary == "Merged text"


def test_conflict_without_javascript_renders_the_whole_page(reviewer_client, editor_client, claim):
    save(reviewer_client, claim, 0, "First")
    save(editor_client, claim, 1, "Second")
    rating = claim.workspace.ratings.get(label="False")
    response = reviewer_client.post(
        url("verdict_save", claim), {"rating": rating.pk, "summary": "Third", "version": 1}
    )
    assert response.status_code == 409
    assert b"<html" in response.content and b'value="Third"' in response.content


def test_workflow_through_the_views(reviewer_client, editor_client, claim):
    save(reviewer_client, claim, 0, "Crime rose, in fact.")
    reviewer_client.post(url("verdict_submit", claim), {"version": 1})
    page = editor_client.get(claim.get_absolute_url()).content.decode()
    # No source yet: the page says so before the click instead of offering "Approve".
    assert "Approve and publish" not in page
    assert "Add at least one source before approving" in page
    response = editor_client.post(url("verdict_publish", claim), {"version": 2}, headers=HTMX)
    assert response.status_code == 403  # and the desk refuses it anyway
    assert "Add at least one source" in response.content.decode()
    SourceFactory(claim=claim)
    assert "Approve and publish" in editor_client.get(claim.get_absolute_url()).content.decode()
    editor_client.post(url("verdict_publish", claim), {"version": 2})
    claim.refresh_from_db()
    assert claim.status == "published"
    assert Verdict.objects.get().status == "published"


def test_stale_approval_is_refused(reviewer_client, editor_client, claim):
    save(reviewer_client, claim, 0, "Draft")
    reviewer_client.post(url("verdict_submit", claim), {"version": 1})
    SourceFactory(claim=claim)
    response = editor_client.post(url("verdict_publish", claim), {"version": 1}, headers=HTMX)
    assert response.status_code == 409
    assert Verdict.objects.get().status == "submitted"


def test_take_race_tells_the_loser(reviewer_client, editor_client, workspace):
    claim = ArticleFactory(workspace=workspace, body=BODY).add_claim(start=0, end=10)
    assert reviewer_client.post(url("claim_take", claim)).status_code == 302
    response = editor_client.post(url("claim_take", claim), headers=HTMX)
    assert response.status_code == 409
    assert "took this claim first" in response.content.decode()
    claim.refresh_from_db()
    assert claim.assignee.username == "rita"


def test_markup_in_user_fields_is_escaped(reviewer_client, claim):
    payload = '<script>alert(1)</script><img src=x onerror=alert(1)>{{ 7|add:1 }}<b hx-get="/x">'
    reviewer_client.post(
        url("source_add", claim),
        {
            "url": "https://x.example.org/",
            "title": payload,
            "publisher": payload,
            "excerpt": payload,
            "stance": "context",
        },
    )
    reviewer_client.post(url("comment_add", claim), {"body": payload})
    save(reviewer_client, claim, 0, payload[:200], explanation=payload)
    page = reviewer_client.get(claim.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert '<b hx-get="/x">' not in page
    assert "{{ 7|add:1 }}" in page  # shown as text, never rendered as a template


def test_assign_through_the_form(editor_client, claim, editor, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            url("claim_assign", claim),
            {"assignee": editor.pk, "priority": 4, "due_date": "2030-01-31"},
            headers=HTMX,
        )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.assignee, claim.priority, str(claim.due_date)) == (editor, 4, "2030-01-31")
    assert mail.outbox == []  # nobody is emailed about assigning themselves


def test_invalid_assign_form(editor_client, claim):
    response = editor_client.post(url("claim_assign", claim), {"assignee": 999999, "priority": 9})
    assert response.status_code == 400
    assert Claim.objects.get(pk=claim.pk).priority == 2
