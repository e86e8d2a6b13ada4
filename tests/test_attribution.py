"""Who made a claim, when and where, and its restatement: the workflow, the claim page's
attribution section (no JS and htmx), the extractor's suggestion and the autocompletion."""

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import attribution, services, tasks
from claims.desk import NotAllowed
from claims.models import Activity, Claim, Verdict
from tests.conftest import _member, client_for
from tests.factories import ArticleFactory, ClaimFactory, VerdictFactory

SAMPLE = Path(__file__).resolve().parent.parent / "claims/demo/venezuela-deportations.txt"
HTMX = {"HX-Request": "true"}
BODY = (
    "The council met on Monday.\n"
    "Crime fell by half last year, Mayor Jane Doe said.\n"
    "Residents were not convinced."
)


@pytest.fixture
def article(workspace):
    return ArticleFactory(
        workspace=workspace,
        body=BODY,
        title="Crime story",
        source_url="https://news.example.org/crime",
        published_date=datetime.date(2026, 11, 3),
    )


@pytest.fixture
def claim(article, reviewer):
    start = BODY.index("Crime")
    claim = article.add_claim(
        start=start, end=BODY.index("said.") + 5, suggested_claimant="Jane Doe"
    )
    claim.assignee, claim.status = reviewer, Claim.Status.ASSIGNED
    claim.save()
    return claim


def url(claim):
    return reverse("claim_attribution", args=[claim.workspace.slug, claim.pk])


def form(**overrides):
    return {
        "claimant": "Jane Doe",
        "claimant_kind": "person",
        "claim_date": "2026-11-02",
        "appearance_url": "https://video.example.org/council",
        "restatement": "Crime fell by half last year",
        **overrides,
    }


def stored(claim):
    row = Claim.objects.get(pk=claim.pk)
    return (row.claimant, row.claimant_kind, row.claim_date, row.appearance_url, row.restatement)


def attribute(membership, claim, **overrides):
    data = form(**overrides)
    data["claim_date"] = (
        datetime.date.fromisoformat(data["claim_date"]) if data["claim_date"] else None
    )
    return attribution.attribute_claim(membership=membership, claim=claim, **data)


def publish(claim, editor):
    return VerdictFactory(
        claim=claim,
        author=claim.assignee,
        status=Verdict.Status.PUBLISHED,
        approved_by=editor,
        published_at=timezone.now(),
    )


# --- The workflow ---------------------------------------------------------------------------


def test_the_assignee_attributes_the_claim_and_the_change_is_logged(claim, reviewer):
    membership = reviewer.memberships.get()
    attribute(membership, claim)
    assert stored(claim) == (
        "Jane Doe",
        "person",
        datetime.date(2026, 11, 2),
        "https://video.example.org/council",
        "Crime fell by half last year",
    )
    event = Activity.objects.get(verb=Activity.Verb.CLAIM_ATTRIBUTED)
    assert (event.claim_id, event.actor_id) == (claim.pk, reviewer.pk)
    assert event.detail["changes"]["claimant"] == ["", "Jane Doe"]
    assert event.detail["changes"]["claim_date"] == ["", "2026-11-02"]
    # Saving the same again changes and logs nothing.
    attribute(membership, Claim.objects.get(pk=claim.pk))
    assert Activity.objects.filter(verb=Activity.Verb.CLAIM_ATTRIBUTED).count() == 1
    # A second change logs only what changed, old -> new.
    attribute(membership, Claim.objects.get(pk=claim.pk), claimant="Jane A. Doe")
    last = Activity.objects.filter(verb=Activity.Verb.CLAIM_ATTRIBUTED).first()
    assert last.detail["changes"] == {"claimant": ["Jane Doe", "Jane A. Doe"]}


def test_the_article_date_and_address_are_defaults_not_copies(claim, reviewer, article):
    attribute(
        reviewer.memberships.get(),
        claim,
        claim_date="2026-11-03",
        appearance_url="https://news.example.org/crime",
    )
    claim.refresh_from_db()
    # Stored as "not set": a later correction of the article's details carries through.
    assert (claim.claim_date, claim.appearance_url) == (None, "")
    assert attribution.initial(claim)["claim_date"] == article.published_date
    assert attribution.initial(claim)["appearance_url"] == article.source_url


def test_names_are_one_clean_line(claim, reviewer):
    attribute(reviewer.memberships.get(), claim, claimant="  Jane\u202e \n Doe ", restatement="")
    assert Claim.objects.get(pk=claim.pk).claimant == "Jane Doe"


def test_who_may_attribute(claim, workspace, editor):
    other = _member(workspace, "bobby", "reviewer").memberships.get()
    with pytest.raises(NotAllowed, match="assignee or an editor"):
        attribute(other, claim)
    attribute(editor.memberships.get(), claim)  # any editor
    assert Claim.objects.get(pk=claim.pk).claimant == "Jane Doe"


def test_a_published_fact_check_changes_only_through_a_correction(claim, reviewer, editor):
    publish(claim, editor)
    for who in (reviewer, editor):
        with pytest.raises(NotAllowed, match="propose a correction"):
            attribute(who.memberships.get(), claim)
    assert stored(claim)[0] == ""
    assert not Activity.objects.filter(verb=Activity.Verb.CLAIM_ATTRIBUTED).exists()


def test_a_submitted_verdict_waits_for_an_editor(claim, reviewer, editor):
    VerdictFactory(claim=claim, author=reviewer, status=Verdict.Status.SUBMITTED)
    with pytest.raises(NotAllowed, match="waiting for an editor"):
        attribute(reviewer.memberships.get(), claim)
    attribute(editor.memberships.get(), claim)
    assert stored(claim)[0] == "Jane Doe"


@pytest.mark.parametrize(
    "overrides", [{"appearance_url": "javascript:alert(1)"}, {"claimant_kind": "robot"}]
)
def test_the_workflow_refuses_what_the_form_would(claim, reviewer, overrides):
    with pytest.raises(NotAllowed):
        attribute(reviewer.memberships.get(), claim, **overrides)
    assert stored(claim) == ("", "person", None, "", "")


# --- The claim page -------------------------------------------------------------------------


def test_the_suggestion_is_offered_and_saving_confirms_it(reviewer_client, claim):
    page = reviewer_client.get(claim.get_absolute_url()).content.decode()
    assert 'id="attribution"' in page
    assert "Suggested from the sentence — confirm" in page
    assert 'name="claimant" value="Jane Doe"' in page
    # The article's date and address, and the sentence without its attribution as a first
    # restatement.
    assert 'value="2026-11-03"' in page
    assert 'value="https://news.example.org/crime"' in page
    assert 'value="Crime fell by half last year"' in page
    assert 'data-counter-for="attribution_restatement"' in page
    response = reviewer_client.post(
        url(claim),
        form(claim_date="2026-11-03", appearance_url="https://news.example.org/crime"),
        follow=True,
    )
    assert response.redirect_chain == [(claim.get_absolute_url(), 302)]
    page = response.content.decode()
    assert "Attribution saved." in page
    assert "Suggested from the sentence" not in page
    assert stored(claim) == ("Jane Doe", "person", None, "", "Crime fell by half last year")


def test_htmx_answers_with_the_section_and_the_history(reviewer_client, claim):
    response = reviewer_client.post(url(claim), form(), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="attribution"')
    assert 'id="claim-history" aria-labelledby="history-heading" hx-swap-oob="true"' in html
    assert "updated the claim&#x27;s attribution" in html
    assert "Attribution saved." in html  # the messages region, out of band
    assert "<html" not in html
    assert stored(claim)[0] == "Jane Doe"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"appearance_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"appearance_url": "ftp://files.example.org/x"}, "http:// or https://"),
        ({"claimant": "x" * 301}, "at most 300 characters"),
        ({"restatement": "y" * 281}, "at most 280 characters"),
        ({"claim_date": "yesterday"}, "Enter a valid date."),
    ],
)
def test_bad_input_is_refused_and_the_form_keeps_what_was_typed(
    reviewer_client, claim, overrides, message
):
    for headers in ({}, HTMX):
        response = reviewer_client.post(url(claim), form(**overrides), headers=headers)
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html
        assert "Crime fell by half last year" in html  # the restatement typed
    assert stored(claim) == ("", "person", None, "", "")


def test_markup_in_a_name_is_text(reviewer_client, claim):
    reviewer_client.post(url(claim), form(claimant="<script>alert(1)</script>"))
    page = reviewer_client.get(claim.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_published_claim_shows_its_attribution_and_refuses_changes(
    reviewer_client, claim, editor
):
    publish(claim, editor)
    page = reviewer_client.get(claim.get_absolute_url()).content.decode()
    assert 'id="attribution-form"' not in page
    assert "propose a correction to change its attribution" in page
    for headers in ({}, HTMX):
        response = reviewer_client.post(url(claim), form(), headers=headers)
        assert response.status_code == 403
        assert "propose a correction" in response.content.decode()
    assert stored(claim)[0] == ""


def test_someone_else_s_claim_is_shown_but_not_editable(client, claim, workspace):
    client.force_login(_member(workspace, "bobby", "reviewer"))
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'id="attribution-form"' not in page
    assert "Jane Doe" in page and "not confirmed" in page
    assert client.post(url(claim), form()).status_code == 403
    assert stored(claim)[0] == ""


def test_outsiders_find_nothing_and_change_nothing(outsider_client, claim):
    assert outsider_client.post(url(claim), form()).status_code == 404
    theirs = reverse("claim_attribution", args=["rival-desk", claim.pk])
    assert outsider_client.post(theirs, form(), headers=HTMX).status_code == 404
    assert stored(claim) == ("", "person", None, "", "")


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_wrong_method(reviewer_client, claim, method):
    assert getattr(reviewer_client, method)(url(claim)).status_code == 405
    assert stored(claim) == ("", "person", None, "", "")


# --- Autocompletion from the workspace's earlier claimants -----------------------------------


def test_earlier_claimants_most_used_first_and_only_this_workspace(
    claim, workspace, other_workspace, reviewer_client
):
    for name, times in (("Jane Doe", 1), ("ICE", 3), ("Donald Trump", 2)):
        for _ in range(times):
            ClaimFactory(article__workspace=workspace, claimant=name)
    ClaimFactory(article__workspace=other_workspace, claimant="Rival Source")
    ClaimFactory(article__workspace=workspace, suggested_claimant="Unconfirmed Guess")
    assert attribution.earlier_claimants(workspace.pk) == ["ICE", "Donald Trump", "Jane Doe"]
    page = reviewer_client.get(claim.get_absolute_url()).content.decode()
    datalist = page[page.index('<datalist id="claimant-choices">') :].split("</datalist>")[0]
    assert datalist.index('"ICE"') < datalist.index('"Donald Trump"') < datalist.index('"Jane Doe"')
    assert "Rival Source" not in page and "Unconfirmed Guess" not in datalist


def test_autocompletion_is_one_bounded_query(workspace, django_assert_num_queries):
    ClaimFactory(article__workspace=workspace, claimant="Claimant 0")
    with django_assert_num_queries(1):
        assert len(attribution.earlier_claimants(workspace.pk)) == 1
    article = ArticleFactory(workspace=workspace)
    for i in range(1, 70):
        article.add_claim(start=i, end=i + 5, claimant=f"Claimant {i}")
    with django_assert_num_queries(1):
        assert len(attribution.earlier_claimants(workspace.pk)) == attribution.CLAIMANT_CHOICES


def test_the_claim_page_costs_the_same_for_1_and_60_claimants(reviewer_client, claim, workspace):
    ClaimFactory(article__workspace=workspace, claimant="Claimant 0")
    reviewer_client.get(claim.get_absolute_url())
    with CaptureQueriesContext(connection) as one:
        reviewer_client.get(claim.get_absolute_url())
    article = ArticleFactory(workspace=workspace)
    for i in range(1, 60):
        article.add_claim(start=i, end=i + 5, claimant=f"Claimant {i}")
    with CaptureQueriesContext(connection) as sixty:
        page = reviewer_client.get(claim.get_absolute_url()).content.decode()
    assert len(sixty.captured_queries) == len(one.captured_queries)
    assert page.count('<option value="Claimant') == attribution.CLAIMANT_CHOICES


def test_other_sections_swapped_over_htmx_do_not_read_the_claimants(reviewer_client, claim):
    with CaptureQueriesContext(connection) as queries:
        response = reviewer_client.post(
            reverse("comment_add", args=[claim.workspace.slug, claim.pk]),
            {"body": "Checking the police data."},
            headers=HTMX,
        )
    assert response.status_code == 200
    assert "claimant-choices" not in response.content.decode()
    assert not any('AS "uses"' in q["sql"] for q in queries.captured_queries)


# --- The extractor's suggestion, stored with new claims ---------------------------------------


def test_extraction_suggests_claimants_and_confirms_none(workspace):
    article = ArticleFactory(
        workspace=workspace, body=SAMPLE.read_text(encoding="utf-8"), extraction_status="queued"
    )
    tasks.extract_article.apply(args=[article.pk])
    ice = article.claims.get(text__startswith="On Friday, US Immigration")
    assert ice.suggested_claimant == "US Immigration and Customs Enforcement"
    assert ice.claimant_kind == "organization"
    assert not article.claims.exclude(claimant="").exists()  # a reviewer confirms
    trump = article.claims.filter(text__contains="President Trump says").first()
    if trump:
        assert trump.suggested_claimant == "Trump"


def test_a_claim_added_by_hand_gets_a_suggestion_too(article, reviewer):
    start = BODY.index("Crime")
    claim, created = services.add_manual_claim(
        article=article, user=reviewer, start=start, end=BODY.index("said.") + 5
    )
    assert created
    assert (claim.suggested_claimant, claim.claimant) == ("Jane Doe", "")


def test_a_claim_added_from_the_article_page_gets_a_suggestion(reviewer_client, article):
    start = BODY.index("Crime")
    reviewer_client.post(
        reverse("claim_create", args=[article.workspace.slug, article.pk]),
        {"start": start, "end": BODY.index("said.") + 5, "unit": "char"},
    )
    assert article.claims.get(start=start).suggested_claimant == "Jane Doe"


def test_sequence_suggest_confirm_publish_then_locked(claim, reviewer, editor, workspace):
    """Extracted guess -> the assignee confirms -> an editor publishes -> locked."""
    reviewer_c, editor_c = client_for(reviewer), client_for(editor)
    reviewer_c.post(url(claim), form(claimant="Jane Doe", restatement="Crime halved"))
    publish(Claim.objects.get(pk=claim.pk), editor)
    response = editor_c.post(url(claim), form(claimant="Somebody Else"))
    assert response.status_code == 403
    assert stored(claim)[0] == "Jane Doe"
    assert stored(claim)[4] == "Crime halved"
