"""What the desk sees of matching: the claim page, the article page, the queue, duplicates."""

import pytest
from django.urls import reverse

from claims import desk
from claims.models import Activity, Claim, Membership, Source, Verdict
from tests.factories import ArticleFactory, SourceFactory, UserFactory
from tests.test_matching import add_claim

pytestmark = pytest.mark.django_db

BRIDGE = "The city spent 12 million on the new bridge."


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- The claim page -------------------------------------------------------------------------


def test_claim_page_shows_checked_before_and_similar_open_claims(
    fake_encoder, reviewer_client, workspace
):
    checked = add_claim(workspace, BRIDGE, status="published")
    changed = add_claim(workspace, "The city spent 21 million on the new bridge.")
    unrelated = add_claim(workspace, "Wolves returned to the valley last winter.")
    claim = add_claim(workspace, "The city spent 12 million on the new bridge!")
    html = page(reviewer_client, claim.get_absolute_url())
    checked_section = html[html.index('id="checked-before"') : html.index('id="similar-open"')]
    open_section = html[html.index('id="similar-open"') :]
    assert checked.get_absolute_url() in checked_section
    assert '<strong class="rating">False</strong>' in checked_section
    assert reverse("verdict_detail", args=[workspace.slug, checked.pk]) in checked_section
    assert "same claim" in checked_section
    assert changed.get_absolute_url() in open_section
    assert "Not the same: numbers differ." in open_section
    assert unrelated.get_absolute_url() not in html
    assert "link and carry this verdict" not in html  # reviewers see, editors link


def test_claim_page_query_count_is_pinned_with_matches_shown(
    fake_encoder, reviewer_client, workspace, django_assert_num_queries
):
    claim = add_claim(workspace, BRIDGE)
    add_claim(workspace, BRIDGE + " Really.", status="published")
    add_claim(workspace, BRIDGE + " Truly.")
    url = claim.get_absolute_url()
    reviewer_client.get(url)  # loads the workspace's index into this process
    with django_assert_num_queries(QUERIES):
        html = reviewer_client.get(url).content.decode()
    assert html.count('class="match match-') == 2
    for i in range(8):
        add_claim(workspace, BRIDGE + f" Again {i}.", status="published" if i % 2 else "new")
    reviewer_client.get(url)  # the index takes in the new claims
    with django_assert_num_queries(QUERIES):
        html = reviewer_client.get(url).content.decode()
    assert html.count('class="match match-') == 10


# The claim page's queries (tests/test_claim_page.py) plus two for matching: the index's
# freshness stamp and the matched claims with their verdicts and ratings.
QUERIES = 15


def test_editor_links_a_claim_to_a_checked_one_and_the_verdict_carries_at_once(
    fake_encoder, editor_client, workspace
):
    checked = add_claim(workspace, BRIDGE, status="published")
    SourceFactory(claim=checked, url="https://stats.example.org/bridge")
    claim = add_claim(workspace, "The city spent 12 million on the new bridge!")
    html = page(editor_client, claim.get_absolute_url())
    assert "Same claim: link and carry this verdict" in html
    response = editor_client.post(
        reverse("claim_duplicate", args=[workspace.slug, claim.pk]),
        {"original": checked.pk, "next": claim.get_absolute_url()},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == claim.get_absolute_url()
    assert "its published verdict now applies here too" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.duplicate_of, claim.status) == (checked, "published")
    assert (claim.verdict.rating.label, claim.verdict.status) == ("False", "published")
    assert claim.sources.get().url == "https://stats.example.org/bridge"
    assert Activity.objects.filter(claim=claim, verb="duplicate_linked").exists()
    assert Activity.objects.get(claim=claim, verb="verdict_published").detail == {
        "carried_from": checked.pk
    }


def test_link_an_open_look_alike_from_the_claim_page_then_unlink_it(
    fake_encoder, editor_client, workspace
):
    claim = add_claim(workspace, BRIDGE)
    other = add_claim(workspace, "The city spent 12 million on the new bridge!")
    html = page(editor_client, claim.get_absolute_url())
    assert "Link as duplicate of this claim" in html
    url = reverse("claim_duplicate", args=[workspace.slug, other.pk])
    editor_client.post(url, {"original": claim.pk, "next": claim.get_absolute_url()})
    other.refresh_from_db()
    assert (other.duplicate_of, other.status) == (claim, "new")  # carried on approval only
    html = page(editor_client, claim.get_absolute_url())
    assert "Linked duplicates (1)" in html
    assert "Linked as a duplicate of" in page(editor_client, other.get_absolute_url())
    response = editor_client.post(url, {"original": ""}, follow=True)
    assert "no longer a duplicate" in response.content.decode()
    other.refresh_from_db()
    assert other.duplicate_of is None
    assert Activity.objects.filter(claim=other, verb="duplicate_unlinked").exists()


def test_duplicate_view_refuses_bad_input(fake_encoder, editor_client, workspace, other_workspace):
    claim = add_claim(workspace, BRIDGE)
    url = reverse("claim_duplicate", args=[workspace.slug, claim.pk])
    for data, message in [
        ({"original": "abc"}, "Enter a whole number."),
        ({"original": claim.pk}, "can&#x27;t be a duplicate of itself"),
        ({"original": ""}, "not linked as a duplicate"),
    ]:
        response = editor_client.post(url, data, follow=True)
        assert message in response.content.decode()
    foreign = add_claim(other_workspace, BRIDGE)
    assert editor_client.post(url, {"original": foreign.pk}).status_code == 404
    assert editor_client.post(url, {"next": "https://evil.example.org/"})["Location"] == (
        claim.get_absolute_url()
    )
    claim.refresh_from_db()
    assert claim.duplicate_of is None


def test_claims_with_their_own_verdict_are_not_linked(fake_encoder, editor_client, workspace):
    in_review = add_claim(workspace, BRIDGE, status="in_review")
    dismissed = add_claim(workspace, BRIDGE + " Dismissed.", status="dismissed")
    original = add_claim(workspace, BRIDGE + " Original.")
    url = reverse("claim_duplicate", args=[workspace.slug, in_review.pk])
    response = editor_client.post(url, {"original": original.pk}, follow=True)
    assert "keeps its own verdict" in response.content.decode()
    url = reverse("claim_duplicate", args=[workspace.slug, original.pk])
    response = editor_client.post(url, {"original": dismissed.pk}, follow=True)
    assert "The original claim is dismissed" in response.content.decode()
    assert not Claim.objects.filter(duplicate_of__isnull=False).exists()


def test_duplicate_view_is_for_editors_of_the_workspace(
    fake_encoder, reviewer_client, outsider_client, editor_client, workspace
):
    claim = add_claim(workspace, BRIDGE)
    original = add_claim(workspace, BRIDGE + " Yes.")
    url = reverse("claim_duplicate", args=[workspace.slug, claim.pk])
    assert reviewer_client.post(url, {"original": original.pk}).status_code == 403
    assert outsider_client.post(url, {"original": original.pk}).status_code == 404
    assert editor_client.get(url).status_code == 405
    claim.refresh_from_db()
    assert claim.duplicate_of is None
    assert not Activity.objects.filter(verb="duplicate_linked").exists()


# --- The article page -----------------------------------------------------------------------


def test_article_page_marks_claims_checked_before(fake_encoder, reviewer_client, workspace):
    checked = add_claim(workspace, BRIDGE, status="published")
    body = BRIDGE + "\nWolves returned to the valley last winter.\n"
    article = ArticleFactory(workspace=workspace, body=body, extraction_status="running")
    from claims import services

    services.extract_claims(article)
    html = page(reviewer_client, article.get_absolute_url())
    assert html.count("Checked before:") == 1
    assert reverse("verdict_detail", args=[workspace.slug, checked.pk]) in html
    assert 'class="claim-mark checked"' in html


# --- The queue ------------------------------------------------------------------------------


@pytest.fixture
def look_alikes(fake_encoder, workspace):
    checked = add_claim(workspace, BRIDGE, status="published")
    return {
        "checked": checked,
        "again": add_claim(workspace, "The city spent 12 million on the new bridge!"),
        "changed": add_claim(workspace, "The city spent 21 million on the new bridge."),
        "other": add_claim(workspace, "Wolves returned to the valley last winter."),
        "wolves": add_claim(workspace, "Wolves returned to the valley last winter!"),
    }


def queue_ids(client, workspace, **params) -> list[int]:
    response = client.get(reverse("claim_queue", args=[workspace.slug]), params)
    return [claim.pk for claim in response.context["page"].object_list]


def test_queue_filter_already_checked(reviewer_client, workspace, look_alikes):
    assert queue_ids(reviewer_client, workspace, checked="yes") == [look_alikes["again"].pk]
    unchecked = set(queue_ids(reviewer_client, workspace, checked="no"))
    assert unchecked == {look_alikes[k].pk for k in ("changed", "other", "wolves")}
    html = page(reviewer_client, reverse("claim_queue", args=[workspace.slug]) + "?checked=yes")
    assert f"Checked before: #{look_alikes['checked'].pk}" in html


def test_queue_groups_near_duplicates(reviewer_client, workspace, look_alikes):
    ids = queue_ids(reviewer_client, workspace, sort="similar", status="all")
    position = {pk: i for i, pk in enumerate(ids)}
    checked, again = position[look_alikes["checked"].pk], position[look_alikes["again"].pk]
    other, wolves = position[look_alikes["other"].pk], position[look_alikes["wolves"].pk]
    assert again == checked + 1 and wolves == other + 1
    html = page(reviewer_client, reverse("claim_queue", args=[workspace.slug]))
    assert f"Same as #{look_alikes['other'].pk}" in html


def test_queue_query_count_with_match_badges(
    reviewer_client, workspace, look_alikes, django_assert_num_queries
):
    url = reverse("claim_queue", args=[workspace.slug])
    reviewer_client.get(url)  # the session learns the current workspace
    with django_assert_num_queries(QUEUE_QUERIES):
        html = reviewer_client.get(url).content.decode()
    assert html.count("Checked before: #") == 1
    for i in range(10):
        add_claim(workspace, f"The city spent 12 million on the new bridge {i}.")
    with django_assert_num_queries(QUEUE_QUERIES):
        html = reviewer_client.get(url).content.decode()
    assert html.count("Checked before: #") == 11


QUEUE_QUERIES = 11


# --- Bulk "link as duplicate", and the verdict carried across on approval ------------------


def bulk(client, workspace, ids, **data):
    return client.post(
        reverse("queue_bulk", args=[workspace.slug]),
        {"claims": ids, "action": "duplicate", **data},
        follow=True,
    )


def test_bulk_link_then_approval_carries_the_verdict_across(
    fake_encoder, editor_client, editor, workspace
):
    original = add_claim(workspace, BRIDGE)
    copies = [add_claim(workspace, BRIDGE + f" Copy {i}.") for i in range(2)]
    dismissed = add_claim(workspace, BRIDGE + " Dismissed.", status="dismissed")
    ids = [original.pk, *(c.pk for c in copies), dismissed.pk]
    response = bulk(editor_client, workspace, ids)
    assert "Updated 2 claims. 1 skipped" in response.content.decode()
    assert set(original.duplicates.all()) == set(copies)
    assert Activity.objects.filter(verb="duplicate_linked").count() == 2

    # The original goes through the ordinary workflow: draft, submit, approve.
    writer = UserFactory(username="writer")
    mine = Membership.objects.create(user=writer, workspace=workspace, role="editor")
    approver = Membership.objects.get(user=editor, workspace=workspace)
    SourceFactory(claim=original, url="https://stats.example.org/bridge")
    desk.assign_claim(membership=approver, claim=original, assignee=writer)
    verdict = desk.save_verdict(
        membership=mine,
        claim=original,
        rating=workspace.ratings.get(label="Mostly true"),
        summary="Close to the council's figure.",
        explanation="The council's accounts say 11.8 million.",
        version=None,
    )
    verdict = desk.submit_verdict(membership=mine, verdict=verdict, version=verdict.version)
    for copy in copies:
        copy.refresh_from_db()
        assert copy.status == "new"  # nothing carried before approval
    published = desk.publish_verdict(membership=approver, verdict=verdict, version=verdict.version)

    for copy in copies:
        copy.refresh_from_db()
        carried = Verdict.objects.get(claim=copy)
        assert copy.status == "published"
        assert (carried.rating.label, carried.summary, carried.status) == (
            "Mostly true",
            "Close to the council's figure.",
            "published",
        )
        assert (carried.author, carried.approved_by) == (writer, editor)
        assert Source.objects.get(claim=copy).url == "https://stats.example.org/bridge"
    dismissed.refresh_from_db()
    assert dismissed.status == "dismissed"
    assert Activity.objects.filter(verb="verdict_published").count() == 3
    html = page(editor_client, copies[0].get_absolute_url())
    assert "Close to the council&#x27;s figure." in html

    # A correction to the original (proposed by its writer, approved by another editor)
    # reaches the copies, each with its visible record.
    proposal = desk.propose_correction(
        membership=mine,
        verdict=published,
        version=published.version,
        rating=workspace.ratings.get(label="False"),
        summary="The council's accounts were wrong.",
        explanation="The audit found 15 million.",
        sources=[{"url": "https://stats.example.org/audit", "stance": "refutes"}],
        reason="The audit was published.",
    )
    desk.approve_correction(membership=approver, correction=proposal)
    for copy in copies:
        carried = Verdict.objects.get(claim=copy)
        assert (carried.rating.label, carried.summary) == (
            "False",
            "The council's accounts were wrong.",
        )
        correction = carried.corrections.get()
        assert (correction.reason, correction.status) == ("The audit was published.", "approved")
        assert (correction.created_by, correction.decided_by) == (writer, editor)
        assert carried.public_record["rating"]["label"] == "False"
        assert [s["url"] for s in carried.public_record["sources"]] == [
            "https://stats.example.org/audit"
        ]
        assert carried.public_record["claim"]["text"] == copy.text


def test_bulk_link_to_a_named_original(fake_encoder, editor_client, workspace):
    checked = add_claim(workspace, BRIDGE, status="published")
    copy = add_claim(workspace, BRIDGE + " Copy.")
    response = bulk(editor_client, workspace, [copy.pk], original=checked.pk)
    assert "Updated 1 claim." in response.content.decode()
    copy.refresh_from_db()
    assert (copy.duplicate_of, copy.status) == (checked, "published")  # carried at once
    response = bulk(editor_client, workspace, [copy.pk], original=99999)
    assert "There is no claim #99999 in this workspace." in response.content.decode()


def test_links_stay_one_level_deep(fake_encoder, editor_client, workspace):
    first, second, third = (add_claim(workspace, BRIDGE + f" {i}.") for i in range(3))
    bulk(editor_client, workspace, [first.pk, second.pk])  # second -> first
    bulk(editor_client, workspace, [third.pk], original=second.pk)  # -> first, not second
    third.refresh_from_db()
    assert third.duplicate_of == first
    bulk(editor_client, workspace, [first.pk], original=third.pk)  # original is first itself
    first.refresh_from_db()
    assert first.duplicate_of is None


def test_bulk_link_is_for_editors(fake_encoder, reviewer_client, workspace):
    original, copy = add_claim(workspace, BRIDGE), add_claim(workspace, BRIDGE + " Copy.")
    response = bulk(reviewer_client, workspace, [original.pk, copy.pk])
    assert "Only an editor" in response.content.decode()
    assert not Claim.objects.filter(duplicate_of__isnull=False).exists()


def test_claims_handed_over_to_a_published_original_get_its_verdict(
    fake_encoder, editor_client, workspace
):
    checked = add_claim(workspace, BRIDGE, status="published")
    middle, last = (
        add_claim(workspace, BRIDGE + " Again."),
        add_claim(workspace, BRIDGE + " Once more."),
    )
    bulk(editor_client, workspace, [last.pk], original=middle.pk)  # last -> middle (open)
    bulk(editor_client, workspace, [middle.pk], original=checked.pk)  # middle -> checked
    for claim in (middle, last):
        claim.refresh_from_db()
        assert (claim.duplicate_of, claim.status) == (checked, "published")
        assert claim.verdict.rating.label == "False"


def test_a_correction_leaves_a_linked_claims_own_verdict_alone(fake_encoder, editor, workspace):
    original = add_claim(workspace, BRIDGE, status="published")
    own = add_claim(
        workspace,
        BRIDGE + " Own.",
        status="published",
    )
    # Linked while in review, then approved on its own by another editor: its verdict is its own.
    Claim.objects.filter(pk=own.pk).update(duplicate_of=original)
    before = Verdict.objects.get(claim=own)
    proposer = Membership.objects.get(user=editor, workspace=workspace)
    approver = Membership.objects.create(user=UserFactory(), workspace=workspace, role="editor")
    verdict = original.verdict
    proposal = desk.propose_correction(
        membership=proposer,
        verdict=verdict,
        version=verdict.version,
        rating=workspace.ratings.get(label="True"),
        summary="It was right after all.",
        explanation="The audit agrees.",
        sources=[{"url": "https://stats.example.org/audit"}],
        reason="The audit was published.",
    )
    desk.approve_correction(membership=approver, correction=proposal)
    after = Verdict.objects.get(claim=own)
    assert (after.rating_id, after.summary, after.version) == (
        before.rating_id,
        before.summary,
        before.version,
    )
    assert not after.corrections.exists()
