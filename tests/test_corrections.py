"""Corrections of a published verdict: proposed by one member, approved by a different editor.

Through the workflow functions, the claim page's plain (no-JS) forms and htmx, and the public
page readers see: nothing public changes until a second editor approves.
"""

import re

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from claims import desk, publication
from claims.models import Activity, Claim, Correction, Notification, Role, Source, Verdict
from tests.conftest import approval_seen, client_for
from tests.factories import ClaimFactory, MembershipFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
CSRF = re.compile(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')
FIRST = "https://stats.example.org/first"
SECOND = "https://stats.example.org/second"


@pytest.fixture
def team(workspace):
    def member(name, role):
        user = UserFactory(username=name, first_name=name.capitalize())
        return MembershipFactory(user=user, workspace=workspace, role=role)

    return {
        "alice": member("alice", Role.REVIEWER),
        "bob": member("bob", Role.REVIEWER),
        "ed": member("ed", Role.EDITOR),
        "cora": member("cora", Role.EDITOR),
    }


def rating(workspace, label):
    return workspace.ratings.get(label=label)


def publish(team, claim):
    """alice writes the verdict, ed approves it."""
    desk.assign_claim(membership=team["ed"], claim=claim, assignee=team["alice"].user)
    SourceFactory(claim=claim, url=FIRST, excerpt="Crime fell 12 percent.")
    verdict = desk.save_verdict(
        membership=team["alice"],
        claim=claim,
        rating=rating(claim.workspace, "Mostly true"),
        summary="Close to the police figure.",
        explanation="The police reported 11.8 percent.",
        version=0,
    )
    verdict = desk.submit_verdict(membership=team["alice"], verdict=verdict, version=1)
    return desk.publish_verdict(membership=team["ed"], verdict=verdict, version=verdict.version)


@pytest.fixture
def claim(workspace):
    return ClaimFactory(article__workspace=workspace)


@pytest.fixture
def published(team, claim):
    return publish(team, claim)


def fresh(verdict):
    return Verdict.objects.select_related("claim__article", "claim__workspace", "rating").get(
        pk=verdict.pk
    )


def propose(team, who, verdict, **changes):
    verdict = fresh(verdict)
    values = {
        "version": verdict.version,
        "rating": rating(verdict.claim.workspace, "Half true"),
        "summary": verdict.summary,
        "explanation": verdict.explanation,
        "sources": [
            {"url": FIRST, "excerpt": "Crime fell 10 percent.", "stance": "supports"},
            {"url": SECOND, "title": "Audit", "stance": "refutes"},
        ],
        "reason": "The police revised their figure.",
        **changes,
    }
    return desk.propose_correction(membership=team[who], verdict=verdict, **values)


def public_page(client, verdict) -> str:
    """The public page's HTML, byte for byte but for the CSRF token the page frame masks
    afresh on every request."""
    slug = verdict.claim.workspace.slug
    response = client.get(reverse("public_verdict", args=[slug, verdict.pk]))
    assert response.status_code == 200
    return CSRF.sub("CSRF", response.content.decode())


def url(name, claim, **kw):
    return reverse(name, kwargs={"slug": claim.workspace.slug, "pk": claim.pk, **kw})


def correction_data(verdict, **overrides) -> dict:
    """The claim page's correction form as a browser sends it: the current source kept
    with a new excerpt, one new source, an empty extra row."""
    data = {
        "version": verdict.version,
        "rating": rating(verdict.claim.workspace, "Half true").pk,
        "summary": verdict.summary,
        "explanation": verdict.explanation,
        "reason": "The police revised their figure.",
        "sources-TOTAL_FORMS": 3,
        "sources-INITIAL_FORMS": 1,
        "sources-0-keep": "on",
        "sources-0-url": FIRST,
        "sources-0-excerpt": "Crime fell 10 percent.",
        "sources-0-stance": "supports",
        "sources-1-url": SECOND,
        "sources-1-title": "Audit",
        "sources-1-stance": "refutes",
        "sources-2-url": "",
        "sources-2-stance": "context",
        # The attribution fields, as the page pre-fills them for a claim with none confirmed.
        "claimant": "",
        "claimant_kind": "person",
        "claim_date": "",
        "appearance_url": "",
        "restatement": "",
    }
    data.update(overrides)
    return data


# --- The workflow functions -----------------------------------------------------------------


def test_publishing_freezes_what_readers_see(published, claim):
    record = fresh(published).public_record
    assert record["rating"]["label"] == "Mostly true"
    assert record["claim"]["text"] == " ".join(claim.text.split())
    assert [s["url"] for s in record["sources"]] == [FIRST]


def test_propose_then_a_second_editor_approves_and_readers_see_it(team, published, client):
    before = public_page(client, published)
    Notification.objects.all().delete()
    correction = propose(team, "ed", published)
    assert correction.status == Correction.Status.PROPOSED
    # Proposed only: nothing readers see has changed, nor the live rows.
    assert public_page(client, published) == before
    verdict = fresh(published)
    assert (verdict.rating.label, verdict.modified_at) == ("Mostly true", None)
    assert list(Source.objects.values_list("url", "excerpt")) == [(FIRST, "Crime fell 12 percent.")]
    assert Activity.objects.filter(verb=Activity.Verb.CORRECTION_PROPOSED).count() == 1
    # The other editor hears about it; the proposer does not notify themselves.
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["cora"]

    with pytest.raises(desk.NotAllowed, match="Another editor must approve your correction"):
        desk.approve_correction(membership=team["ed"], correction=correction)
    with pytest.raises(desk.NotAllowed, match="Only an editor"):
        desk.approve_correction(membership=team["alice"], correction=correction)
    assert Correction.objects.get().status == Correction.Status.PROPOSED

    corrected = desk.approve_correction(membership=team["cora"], correction=correction)
    assert corrected.rating.label == "Half true" and corrected.modified_at is not None
    assert list(Source.objects.order_by("pk").values_list("url", "excerpt", "stance")) == [
        (FIRST, "Crime fell 10 percent.", "supports"),
        (SECOND, "", "refutes"),
    ]
    record = fresh(published).public_record
    assert record["rating"]["label"] == "Half true"
    assert [s["excerpt"] for s in record["sources"]] == ["Crime fell 10 percent.", ""]
    correction.refresh_from_db()
    assert (correction.status, correction.decided_by) == ("approved", team["cora"].user)
    assert (correction.old_rating.label, correction.new_rating.label) == (
        "Mostly true",
        "Half true",
    )
    fields = [change["field"] for change in correction.changes]
    assert fields == ["rating", "sources"]
    assert correction.changes[1]["added"] == [SECOND]
    assert correction.changes[1]["edited"] == [FIRST]
    assert Activity.objects.filter(verb=Activity.Verb.VERDICT_CORRECTED).count() == 1
    assert Notification.objects.filter(
        recipient=team["ed"].user, message__contains="approved and published your correction"
    ).exists()
    page = public_page(client, published)
    assert "Half true" in page and "The police revised their figure." in page


def test_the_assignee_may_propose_and_any_editor_approves(team, published):
    correction = propose(team, "alice", published)
    desk.approve_correction(membership=team["ed"], correction=correction)
    assert fresh(published).rating.label == "Half true"


def test_who_may_propose_and_what(team, published, workspace, other_workspace):
    with pytest.raises(desk.NotAllowed, match="assignee or an editor"):
        propose(team, "bob", published)
    with pytest.raises(desk.NotAllowed, match="readers will see it"):
        propose(team, "ed", published, reason="   ")
    foreign = other_workspace.ratings.get(label="False")
    with pytest.raises(desk.NotAllowed, match="scale"):
        propose(team, "ed", published, rating=foreign)
    with pytest.raises(desk.NotAllowed, match="at least one source"):
        propose(team, "ed", published, sources=[])
    with pytest.raises(desk.NotAllowed, match="web address"):
        propose(team, "ed", published, sources=[{"url": "javascript:alert(1)"}])
    with pytest.raises(desk.NotAllowed, match="listed twice"):
        propose(team, "ed", published, sources=[{"url": FIRST}, {"url": FIRST}])
    unchanged = {
        "rating": rating(workspace, "Mostly true"),
        "sources": [
            {
                "url": FIRST,
                "title": "Official statistics",
                "publisher": "Statistics Office",
                "excerpt": "Crime fell 12 percent.",
                "stance": "supports",
            }
        ],
    }
    with pytest.raises(desk.NotAllowed, match="Nothing would change"):
        propose(team, "ed", published, **unchanged)
    assert not Correction.objects.exists()


def test_a_draft_takes_no_correction(team, claim):
    desk.assign_claim(membership=team["ed"], claim=claim, assignee=team["alice"].user)
    draft = desk.save_verdict(
        membership=team["alice"], claim=claim, rating=None, summary="x", explanation="", version=0
    )
    with pytest.raises(desk.NotAllowed, match="Only a published verdict"):
        propose(team, "alice", draft)


def test_two_proposals_at_once(team, published):
    propose(team, "ed", published)
    with pytest.raises(desk.Conflict, match="waiting for approval"):
        propose(team, "alice", published, summary="Another take.")
    # The database has the last word when both check at the same moment.
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.create(verdict=published, reason="Racing.", created_by=team["cora"].user)
    assert Correction.objects.proposed().count() == 1


def test_the_database_refuses_a_self_approved_correction(team, published):
    correction = propose(team, "ed", published)
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.filter(pk=correction.pk).update(
            status=Correction.Status.APPROVED, decided_by=team["ed"].user
        )


def test_a_proposal_against_a_stale_version_is_a_conflict(team, published):
    with pytest.raises(desk.Conflict, match="changed while you were writing"):
        propose(team, "ed", published, version=published.version - 1)


def test_approval_after_the_verdict_changed_is_refused(team, published, client):
    correction = propose(team, "ed", published)
    Verdict.objects.filter(pk=published.pk).update(version=F("version") + 1)
    before = public_page(client, published)
    with pytest.raises(desk.NotAllowed, match="changed since this correction was proposed"):
        desk.approve_correction(membership=team["cora"], correction=correction)
    correction.refresh_from_db()
    assert correction.status == Correction.Status.PROPOSED
    assert fresh(published).rating.label == "Mostly true"
    assert public_page(client, published) == before
    # It is rejected, and proposed again against the verdict as it is now.
    desk.reject_correction(membership=team["cora"], correction=correction, note="Stale.")
    again = propose(team, "ed", published)
    desk.approve_correction(membership=team["cora"], correction=again)
    assert fresh(published).rating.label == "Half true"


def test_reject_and_withdraw(team, published, client):
    before = public_page(client, published)
    correction = propose(team, "alice", published)
    with pytest.raises(desk.NotAllowed, match="Only an editor, or whoever proposed it"):
        desk.reject_correction(membership=team["bob"], correction=correction, note="No.")
    with pytest.raises(desk.NotAllowed, match="Say why"):
        desk.reject_correction(membership=team["ed"], correction=correction, note=" ")
    desk.reject_correction(
        membership=team["ed"], correction=correction, note="The old figure stands."
    )
    correction.refresh_from_db()
    assert (correction.status, correction.decided_by, correction.decision_note) == (
        "rejected",
        team["ed"].user,
        "The old figure stands.",
    )
    assert Notification.objects.filter(
        recipient=team["alice"].user, message__contains="rejected your correction"
    ).exists()
    assert Activity.objects.filter(verb=Activity.Verb.CORRECTION_REJECTED).count() == 1
    with pytest.raises(desk.NotAllowed, match="already decided"):
        desk.approve_correction(membership=team["cora"], correction=correction)
    # The proposer withdraws their own, without a note.
    mine = propose(team, "alice", published)
    desk.reject_correction(membership=team["alice"], correction=mine)
    mine.refresh_from_db()
    assert mine.status == "rejected" and "Withdrawn" in mine.decision_note
    assert public_page(client, published) == before
    assert fresh(published).rating.label == "Mostly true"


# --- Carried to linked duplicates -----------------------------------------------------------


def test_carried_duplicates_get_their_own_records_and_corrections(
    team, claim, workspace, django_assert_max_num_queries
):
    copies = [ClaimFactory(article__workspace=workspace) for _ in range(2)]
    SourceFactory(claim=copies[1], url="https://own.example.org/research")
    desk.link_duplicates(
        membership=team["ed"],
        original=claim,
        claims=Claim.objects.filter(pk__in=[c.pk for c in copies]),
    )
    original = publish(team, claim)
    for copy in copies:
        record = Verdict.objects.get(claim=copy).public_record
        assert record["claim"]["text"] == " ".join(copy.text.split())
        assert record["rating"]["label"] == "Mostly true"
        assert FIRST in [s["url"] for s in record["sources"]]
    own = Verdict.objects.get(claim=copies[1]).public_record["sources"]
    assert [s["url"] for s in own] == ["https://own.example.org/research", FIRST]

    correction = propose(team, "ed", original)
    desk.approve_correction(membership=team["cora"], correction=correction)
    for copy in copies:
        verdict = Verdict.objects.get(claim=copy)
        record = verdict.public_record
        assert record["rating"]["label"] == "Half true"
        assert record["claim"]["text"] == " ".join(copy.text.split())
        assert record["modified_at"] is not None
        urls = {s["url"]: s for s in record["sources"]}
        assert urls[FIRST]["excerpt"] == "Crime fell 10 percent." and SECOND in urls
        carried = verdict.corrections.get()
        assert (carried.status, carried.created_by, carried.decided_by) == (
            "approved",
            team["ed"].user,
            team["cora"].user,
        )
        assert carried.reason == "The police revised their figure."
        assert [c["field"] for c in carried.changes] == ["rating", "sources"]
    assert "https://own.example.org/research" in [
        s["url"] for s in Verdict.objects.get(claim=copies[1]).public_record["sources"]
    ]


def test_carrying_costs_the_same_queries_for_one_copy_as_for_five(team, workspace):
    def run(count):
        original = ClaimFactory(article__workspace=workspace)
        copies = [ClaimFactory(article__workspace=workspace) for _ in range(count)]
        desk.link_duplicates(
            membership=team["ed"],
            original=original,
            claims=Claim.objects.filter(pk__in=[c.pk for c in copies]),
        )
        verdict = publish(team, original)
        correction = propose(team, "ed", verdict)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            desk.approve_correction(membership=team["cora"], correction=correction)
        return len(queries)

    one, five = run(1), run(5)
    # One UPDATE per copy (its own record), nothing else per copy.
    assert five - one == 4


# --- The claim page: plain forms, htmx ------------------------------------------------------


def test_the_page_offers_a_correction_prefilled_with_the_current_state(team, published, claim):
    page = client_for(team["alice"].user).get(claim.get_absolute_url()).content.decode()
    assert "Propose a correction" in page
    assert 'name="sources-0-keep"' in page and "checked" in page
    assert "Crime fell 12 percent." in page  # the current excerpt, to edit
    assert 'value="Close to the police figure."' in page
    assert 'name="sources-2-url"' in page  # two empty rows to add sources
    # An outsider of the claim (a reviewer not assigned) sees it, but may not propose.
    page = client_for(team["bob"].user).get(claim.get_absolute_url()).content.decode()
    assert "Propose a correction" not in page


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain-form", "htmx"])
def test_propose_proposer_cannot_approve_second_editor_does(
    team, published, claim, headers, client
):
    ed, cora = client_for(team["ed"].user), client_for(team["cora"].user)
    before = public_page(client, published)
    response = ed.post(url("verdict_correct", claim), correction_data(published), headers=headers)
    if headers:
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="verdict"')
        assert "Correction proposed." in html  # its own message, out of band
    else:
        assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    correction = Correction.objects.get()
    assert public_page(client, published) == before

    page = ed.get(claim.get_absolute_url()).content.decode()
    assert "Correction waiting for approval" in page
    assert "Another editor must approve your correction" in page
    assert "Approve and publish correction" not in page
    assert "Withdraw it" in page
    approve = url("correction_approve", claim, correction_pk=correction.pk)
    response = ed.post(approve, headers=headers)
    assert response.status_code == 403
    assert "Another editor must approve your correction" in response.content.decode()
    assert Correction.objects.get().status == "proposed"
    assert public_page(client, published) == before

    page = cora.get(claim.get_absolute_url()).content.decode()
    assert "Approve and publish correction" in page
    assert "Proposed by <strong>Ed" in page
    assert "The police revised their figure." in page
    # The diff: the rating, and the source excerpt changed and a new source.
    assert "<del>Mostly true</del> → <ins>Half true</ins>" in page
    assert "Crime fell 12 percent.</del> → <ins>Crime fell 10 percent." in page
    assert f"added <code>{SECOND}</code>" in page

    response = cora.post(approve, {"seen": approval_seen(correction)}, headers=headers)
    if headers:
        assert response.status_code == 200
        html = response.content.decode()
        assert "Correction approved and published." in html
        assert 'id="sources" aria-labelledby="sources-heading" hx-swap-oob="true"' in html
        assert SECOND in html
    else:
        assert response.status_code == 302
    page = public_page(client, published)
    assert "Half true" in page and "The police revised their figure." in page
    claim_page = cora.get(claim.get_absolute_url()).content.decode()
    assert 'id="corrections"' in claim_page and "Propose a correction" in claim_page


def test_a_bad_correction_form_keeps_what_was_typed(team, published, claim):
    ed = client_for(team["ed"].user)
    data = correction_data(published, **{"sources-1-url": "javascript:alert(1)", "reason": ""})
    response = ed.post(url("verdict_correct", claim), data, headers=HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid URL." in html
    assert 'value="javascript:alert(1)"' in html and "Crime fell 10 percent." in html
    assert "Check the form" in html
    assert not Correction.objects.exists()
    # Refused by the desk (nothing would change): the form stays as typed.
    unchanged = correction_data(
        published,
        **{
            "rating": rating(claim.workspace, "Mostly true").pk,
            "sources-0-excerpt": "Crime fell 12 percent.",
            "sources-0-title": "Official statistics",
            "sources-0-publisher": "Statistics Office",
            "sources-1-url": "",
            "sources-1-title": "",
        },
    )
    response = ed.post(url("verdict_correct", claim), {**unchanged, "reason": "Typo."})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Nothing would change" in html and "Typo." in html
    # Removing every source is refused by the form.
    response = ed.post(
        url("verdict_correct", claim),
        correction_data(
            published, **{"sources-0-keep": "", "sources-1-url": "", "sources-1-title": ""}
        ),
    )
    assert response.status_code == 400
    assert "Keep or add at least one source." in response.content.decode()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain-form", "htmx"])
def test_reject_through_the_page(team, published, claim, headers):
    correction = propose(team, "alice", published)
    reject = url("correction_reject", claim, correction_pk=correction.pk)
    ed = client_for(team["ed"].user)
    response = ed.post(reject, {"note": ""}, headers=headers)
    assert response.status_code == 403
    assert "Say why the correction is rejected" in response.content.decode()
    response = ed.post(reject, {"note": "The old figure stands."}, headers=headers)
    assert response.status_code == (200 if headers else 302)
    assert Correction.objects.get().status == "rejected"
    page = ed.get(claim.get_absolute_url()).content.decode()
    assert "Correction waiting for approval" not in page and "Propose a correction" in page
    # A reviewer who did not propose it cannot reject the next one.
    again = propose(team, "alice", published)
    bob = client_for(team["bob"].user)
    response = bob.post(url("correction_reject", claim, correction_pk=again.pk), {"note": "x"})
    assert response.status_code == 403
    assert Correction.objects.get(pk=again.pk).status == "proposed"
    # Its proposer withdraws it.
    alice = client_for(team["alice"].user)
    response = alice.post(url("correction_reject", claim, correction_pk=again.pk), headers=headers)
    assert response.status_code == (200 if headers else 302)
    assert Correction.objects.get(pk=again.pk).status == "rejected"


def test_outsiders_get_404_and_nothing_changes(team, published, claim, outsider_client):
    correction = propose(team, "ed", published)
    before = list(Correction.objects.values_list("status", "decided_by"))
    for name, kwargs, data in (
        ("verdict_correct", {}, correction_data(published)),
        ("correction_approve", {"correction_pk": correction.pk}, {}),
        ("correction_reject", {"correction_pk": correction.pk}, {"note": "x"}),
    ):
        assert outsider_client.post(url(name, claim, **kwargs), data).status_code == 404
        theirs = reverse(name, kwargs={"slug": "rival-desk", "pk": claim.pk, **kwargs})
        assert outsider_client.post(theirs, data).status_code == 404
    assert list(Correction.objects.values_list("status", "decided_by")) == before
    assert fresh(published).rating.label == "Mostly true"


def test_a_correction_of_another_claim_is_not_found(team, published, claim, workspace):
    correction = propose(team, "ed", published)
    other = ClaimFactory(article__workspace=workspace)
    cora = client_for(team["cora"].user)
    wrong = url("correction_approve", other, correction_pk=correction.pk)
    assert cora.post(wrong).status_code == 404
    assert Correction.objects.get().status == "proposed"


def test_wrong_method_is_405(team, published, claim):
    correction = propose(team, "ed", published)
    cora = client_for(team["cora"].user)
    for name, kwargs in (
        ("verdict_correct", {}),
        ("correction_approve", {"correction_pk": correction.pk}),
        ("correction_reject", {"correction_pk": correction.pk}),
    ):
        assert cora.get(url(name, claim, **kwargs)).status_code == 405
    assert Correction.objects.get().status == "proposed"


# --- The internal verdict page --------------------------------------------------------------


def test_verdict_page_shows_the_history_and_the_pending_proposal(
    team, published, claim, django_assert_num_queries
):
    first = propose(team, "ed", published)
    desk.approve_correction(membership=team["cora"], correction=first)
    propose(team, "alice", published, summary="Roughly right.", reason="Wording.")
    page_url = reverse("verdict_detail", args=[claim.workspace.slug, claim.pk])
    reviewer = client_for(team["alice"].user)
    reviewer.get(page_url)  # the first visit of a session also stores it
    with django_assert_num_queries(VERDICT_PAGE_QUERIES):
        page = reviewer.get(page_url).content.decode()
    assert "proposed by Ed, approved by Cora" in page
    assert "<del>Mostly true</del> → <ins>Half true</ins>" in page
    assert "Correction waiting for approval" in page
    assert "<ins>Roughly right.</ins>" in page
    # More corrections, the same number of queries.
    desk.reject_correction(membership=team["alice"], correction=Correction.objects.proposed().get())
    for summary in ("Third.", "Fourth."):
        desk.approve_correction(
            membership=team["cora"], correction=propose(team, "ed", published, summary=summary)
        )
    propose(team, "alice", published, summary="Fifth.", reason="Again.")
    with django_assert_num_queries(VERDICT_PAGE_QUERIES):
        page = reviewer.get(page_url).content.decode()
    assert page.count("approved by Cora") == 3


# The verdict (with its claim, article, rating and people), its corrections (with theirs) and
# the proposed rating; the rest is the frame every page has (session, user, membership with
# its two-factor state, notification count, workspace menu).
# With a proposal waiting, one query reads the live rating scale its diff is built with.
VERDICT_PAGE_QUERIES = 9


# --- Rough edges of the verdict section -----------------------------------------------------


def test_send_back_shows_the_comment_at_once(team, claim):
    desk.assign_claim(membership=team["ed"], claim=claim, assignee=team["alice"].user)
    SourceFactory(claim=claim)
    verdict = desk.save_verdict(
        membership=team["alice"],
        claim=claim,
        rating=rating(claim.workspace, "False"),
        summary="Wrong.",
        explanation="",
        version=0,
    )
    verdict = desk.submit_verdict(membership=team["alice"], verdict=verdict, version=1)
    ed = client_for(team["ed"].user)
    data = {"version": verdict.version, "comment": "Cite the police report."}
    response = ed.post(url("verdict_return", claim), data, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="comments" aria-labelledby="comments-heading" hx-swap-oob="true"' in html
    assert "Cite the police report." in html
    assert "Sent back to the author with your comment." in html
    # Without JavaScript the redirect shows it.
    verdict = desk.submit_verdict(
        membership=team["alice"], verdict=Verdict.objects.get(), version=verdict.version + 1
    )
    data = {"version": verdict.version, "comment": "And the date."}
    response = ed.post(url("verdict_return", claim), data, follow=True)
    assert "And the date." in response.content.decode()


def test_counter_sits_under_the_summary_and_each_action_has_its_message(team, claim):
    desk.assign_claim(membership=team["ed"], claim=claim, assignee=team["alice"].user)
    alice = client_for(team["alice"].user)
    page = alice.get(claim.get_absolute_url()).content.decode()
    summary = page.index('id="id_summary"')
    counter = page.index('data-counter-for="id_summary"')
    explanation = page.index('id="id_explanation"')
    assert summary < counter < explanation
    data = {"rating": rating(claim.workspace, "False").pk, "summary": "x", "version": 0}
    saved = alice.post(url("verdict_save", claim), data, headers=HTMX).content.decode()
    assert 'id="messages"' in saved and "Verdict saved." in saved
    bad = alice.post(url("verdict_save", claim), {"version": "x"}, headers=HTMX)
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Check the form" in html and "Verdict saved." not in html


def test_approve_is_not_offered_without_a_source(team, claim):
    desk.assign_claim(membership=team["ed"], claim=claim, assignee=team["alice"].user)
    verdict = desk.save_verdict(
        membership=team["alice"],
        claim=claim,
        rating=rating(claim.workspace, "False"),
        summary="Wrong.",
        explanation="",
        version=0,
    )
    desk.submit_verdict(membership=team["alice"], verdict=verdict, version=1)
    page = client_for(team["ed"].user).get(claim.get_absolute_url()).content.decode()
    assert "Approve and publish" not in page
    assert "Add at least one source before approving" in page


# --- Attribution is public too: it changes only through a correction --------------------------


ATTRIBUTION = {
    "claimant": "Minister Ada Grey",
    "claimant_kind": "person",
    "claim_date": None,
    "appearance_url": "",
    "restatement": "Crime fell 12% last year",
}


def test_a_correction_changes_the_attribution_once_approved(team, published, client):
    before = public_page(client, published)
    sources = [publication.source_entry(s) for s in Source.objects.filter(claim=published.claim)]
    correction = propose(
        team,
        "alice",
        published,
        rating=fresh(published).rating,
        sources=sources,
        attribution=ATTRIBUTION,
        reason="The claim was the minister's, not the reporter's.",
    )
    # Proposed: the live claim and what readers see are as they were.
    claim = Claim.objects.get(pk=published.claim_id)
    assert claim.claimant == ""
    assert public_page(client, published) == before
    desk.approve_correction(membership=team["cora"], correction=correction)
    claim.refresh_from_db()
    assert (claim.claimant, claim.restatement) == ("Minister Ada Grey", "Crime fell 12% last year")
    verdict = fresh(published)
    assert verdict.public_record["claim"]["claimant"] == "Minister Ada Grey"
    assert verdict.public_record["claim"]["restatement"] == "Crime fell 12% last year"
    labels = [change["label"] for change in Correction.objects.get(pk=correction.pk).changes]
    assert labels == ["Claim as reviewed", "Who made the claim"]
    page = public_page(client, published)
    assert "Minister Ada Grey" in page and "not the reporter" in page


def test_attribution_is_checked_like_the_attribution_section(team, published):
    with pytest.raises(desk.NotAllowed, match="web address"):
        propose(team, "ed", published, attribution={**ATTRIBUTION, "appearance_url": "ftp://x"})
    with pytest.raises(desk.NotAllowed, match="person or an organisation"):
        propose(team, "ed", published, attribution={**ATTRIBUTION, "claimant_kind": "robot"})
    assert not Correction.objects.exists()


def test_the_page_proposes_an_attribution_change(team, published, claim):
    ed = client_for(team["ed"].user)
    data = correction_data(
        fresh(published), claimant="ICE", claimant_kind="organization", reason="Said by ICE."
    )
    response = ed.post(url("verdict_correct", claim), data)
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert correction.proposed["claim"]["claimant"] == "ICE"
    page = ed.get(url("claim_detail", claim)).content.decode()
    assert "Who made the claim" in page and "ICE" in page
    desk.approve_correction(membership=team["cora"], correction=correction)
    record = fresh(published).public_record["claim"]
    assert (record["claimant"], record["claimant_kind"]) == ("ICE", "organization")


def test_article_details_edited_since_publication_are_listed_when_a_correction_goes_out(
    team, published, client
):
    from claims.models import Article

    Article.objects.filter(pk=published.claim.article_id).update(title="The corrected headline")
    # The edit alone changes nothing public.
    assert "The corrected headline" not in public_page(client, published)
    correction = propose(team, "ed", published)
    desk.approve_correction(membership=team["cora"], correction=correction)
    changes = {c["label"]: c for c in Correction.objects.get(pk=correction.pk).changes}
    assert changes["Article title"]["new"] == "The corrected headline"
    assert "Rating" in changes
    assert "The corrected headline" in public_page(client, published)
