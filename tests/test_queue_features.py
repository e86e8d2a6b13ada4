"""The claim queue's working aids: select all with a live count, a bulk bar that stays in view,
sortable column headers that keep the filters, filters that apply on change, search terms
marked in the results, and multi-word search on every database.

Search tests use words both backends read the same way (PostgreSQL's full-text search stems
them, SQLite's fallback matches each term as text), so they pass on either.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from claims.forms import QueueFilterForm
from claims.models import MAX_SEARCH_TERMS, search_terms
from claims.templatetags.highlight import highlight
from tests.factories import ArticleFactory, UserFactory, VerdictFactory


def queue(client, workspace, **params):
    return client.get(reverse("claim_queue", args=[workspace.slug]), params)


def order(response):
    return [c.pk for c in response.context["page"].object_list]


def claim_in(workspace, body, *, title="Council report", **fields):
    article = ArticleFactory(workspace=workspace, body=body, title=title)
    return article.add_claim(start=0, end=body.index(".") + 1, **fields)


def header(page, label):
    """The <th> of the column whose link reads `label`."""
    match = re.search(rf'<th scope="col"[^>]*><a href="([^"]*)" class="sort-link">{label}\b', page)
    assert match, label
    return match.group(0), match.group(1).replace("&amp;", "&")


@pytest.fixture
def claims(workspace, reviewer):
    today = timezone.localdate()
    made = {
        "bridge": claim_in(workspace, "The bridge cost $12 million.", score=0.9, priority=2),
        "wages": claim_in(
            workspace,
            "Wages rose 4 percent.",
            score=0.5,
            priority=4,
            assignee=reviewer,
            status="researching",
            due_date=today + datetime.timedelta(days=1),
        ),
        "ferry": claim_in(
            workspace,
            "The ferry carried 2 million people.",
            score=0.7,
            priority=1,
            assignee=reviewer,
            status="assigned",
            due_date=today + datetime.timedelta(days=9),
        ),
    }
    # Created one after the other, oldest first, whatever the clock's resolution.
    for minutes, claim in enumerate(made.values()):
        claim.created_at = timezone.now() - datetime.timedelta(minutes=10 - minutes)
        claim.save(update_fields=["created_at"])
    return made


# --- Select all, the live count, the bulk bar -------------------------------------------------


def test_select_all_and_the_selection_count_are_in_the_page(reviewer_client, workspace, claims):
    page = queue(reviewer_client, workspace).content.decode()
    thead = page[page.index("<thead>") : page.index("</thead>")]
    # Hidden until static/js/queue.js runs: without JavaScript it would do nothing.
    assert (
        '<input type="checkbox" data-select-all aria-label="Select all claims on this page" hidden>'
        in thead
    )
    bulk = page[page.index('id="bulk-form"') :]
    assert 'data-selection-count aria-live="polite" hidden>0 selected</output>' in bulk
    assert page.count('name="claims"') == 3
    assert page.count('form="bulk-form"') == 4  # three claims and the way back
    assert 'class="card bulk"' in page
    assert '<script src="/static/js/queue.js" defer></script>' in page
    assert finders.find("js/queue.js")
    assert "style=" not in page and "<script>" not in page


def test_the_bulk_bar_stays_in_view_and_its_way_back_follows_the_filters(
    reviewer_client, workspace, claims
):
    css = Path(finders.find("css/app.css")).read_text(encoding="utf-8")
    assert re.search(r"\.bulk \{ position: sticky; bottom: 0;", css)
    response = reviewer_client.get(
        reverse("claim_queue", args=[workspace.slug]),
        {"assignee": "me", "sort": "due"},
        headers={"HX-Request": "true", "HX-Target": "queue-results"},
    )
    region = response.content.decode()
    next_field = re.search(
        r'<input type="hidden" name="next" value="([^"]*)" form="bulk-form">', region
    )
    assert next_field and "assignee=me" in next_field.group(1) and "sort=due" in next_field.group(1)
    # The exports swapped in with the results carry the new filters too.
    assert "queue/export/claims/?assignee=me&amp;sort=due&amp;format=csv" in region


def test_bulk_action_from_a_filtered_queue_comes_back_to_it(editor_client, workspace, claims):
    back = reverse("claim_queue", args=[workspace.slug]) + "?assignee=me&sort=due"
    response = editor_client.post(
        reverse("queue_bulk", args=[workspace.slug]),
        {"claims": [claims["bridge"].pk], "action": "priority", "priority": 3, "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    claims["bridge"].refresh_from_db()
    assert claims["bridge"].priority == 3


# --- Filters apply on change ------------------------------------------------------------------


def test_filters_apply_on_change_and_the_filter_button_stays(reviewer_client, workspace, claims):
    page = queue(reviewer_client, workspace).content.decode()
    form = page[page.index('<form method="get" class="filters"') :]
    form = form[: form.index("</form>")]
    assert "data-submit-on-change" in form
    # queue.js submits on change; htmx then hears one submit, so no "change" trigger of its own.
    assert 'hx-trigger="keyup changed delay:400ms from:#id_q, submit"' in form
    assert '<button type="submit" class="button">Filter</button>' in form
    script = Path(finders.find("js/queue.js")).read_text(encoding="utf-8")
    assert "data-submit-on-change" in script and "requestSubmit" in script


# --- Sorting by column ----------------------------------------------------------------------


def test_default_order_is_unchanged_and_marked_on_the_score_header(
    reviewer_client, workspace, claims
):
    response = queue(reviewer_client, workspace)
    assert order(response) == [claims[n].pk for n in ("bridge", "ferry", "wages")]
    page = response.content.decode()
    th, _ = header(page, "Score")
    assert 'aria-sort="descending"' in th
    assert page.count("aria-sort=") == 1


@pytest.mark.parametrize(
    ("label", "sort", "aria_sort", "expected"),
    [
        ("Score", "score", "descending", ["bridge", "ferry", "wages"]),
        ("Status", "status", "ascending", ["ferry", "bridge", "wages"]),
        ("Priority", "priority", "descending", ["wages", "bridge", "ferry"]),
        ("Due", "due", "ascending", ["wages", "ferry", "bridge"]),
        ("Created", "newest", "descending", ["ferry", "wages", "bridge"]),
    ],
)
def test_each_sortable_header_sorts_and_keeps_the_filters(
    reviewer_client, workspace, claims, label, sort, aria_sort, expected
):
    filters = {"min_score": "0.1", "q": "", "status": "open"}
    page = queue(reviewer_client, workspace, **filters).content.decode()
    _, link = header(page, label)
    assert f"sort={sort}" in link
    assert "min_score=0.1" in link and "status=open" in link
    response = reviewer_client.get(reverse("claim_queue", args=[workspace.slug]) + link)
    assert order(response) == [claims[name].pk for name in expected]
    th, _ = header(response.content.decode(), label)
    assert f'aria-sort="{aria_sort}"' in th
    assert response.content.decode().count("aria-sort=") == 1


def test_created_header_turns_newest_into_oldest(reviewer_client, workspace, claims):
    page = queue(reviewer_client, workspace, sort="newest").content.decode()
    _, link = header(page, "Created")
    assert "sort=oldest" in link
    response = reviewer_client.get(reverse("claim_queue", args=[workspace.slug]) + link)
    assert order(response) == [claims[n].pk for n in ("bridge", "wages", "ferry")]
    th, _ = header(response.content.decode(), "Created")
    assert 'aria-sort="ascending"' in th


@pytest.mark.parametrize("sort", ["bogus", "-score", "score; DROP TABLE claims_claim", "pk"])
def test_an_unknown_sort_key_gives_the_default_order(reviewer_client, workspace, claims, sort):
    response = queue(reviewer_client, workspace, sort=sort)
    assert response.status_code == 200
    assert order(response) == [claims[n].pk for n in ("bridge", "ferry", "wages")]
    page = response.content.decode()
    th, link = header(page, "Score")
    assert 'aria-sort="descending"' in th and link == "?sort=score"
    # Links the queue builds (sorting, exports, pages) drop the unknown key.
    assert "export/?&amp;format=csv" in page and "export/claims/?&amp;format=csv" in page


def test_sort_keys_are_whitelisted():
    assert set(QueueFilterForm.SORTS) >= {
        key for keys in QueueFilterForm.SORT_COLUMNS.values() for key in keys
    }
    assert {key for key, _ in QueueFilterForm.base_fields["sort"].choices} == set(
        QueueFilterForm.SORTS
    )


# --- Search terms marked in the results -------------------------------------------------------


def test_search_terms_are_marked_in_the_claim_and_article_title(reviewer_client, workspace):
    claim_in(workspace, "The <b>bridge</b> cost 12 MILLION.", title="Bridge report")
    claim_in(workspace, "Wages rose.")
    page = queue(reviewer_client, workspace, q="bridge million").content.decode()
    results = page[page.index('<section id="queue-results">') :]
    # Marked whatever the case; the claim's own markup is shown as text, never run.
    assert "&lt;b&gt;<mark>bridge</mark>&lt;/b&gt; cost 12 <mark>MILLION</mark>." in results
    assert "<mark>Bridge</mark> report" in results
    assert "<b>bridge</b>" not in results
    assert "Wages rose" not in results


@pytest.mark.parametrize(
    "query",
    ['"><script>alert(1)</script>', "<img src=x onerror=alert(1)>", "' onmouseover='alert(1)"],
)
def test_a_hostile_query_is_shown_as_text(reviewer_client, workspace, query):
    claim_in(workspace, "The bridge cost $12 million.")
    response = queue(reviewer_client, workspace, q=query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "onmouseover='alert" not in page


def test_highlight_escapes_the_text_and_the_terms():
    text = 'Mayor said <script>alert("x")</script> & the BRIDGE cost 12 million.'
    marked = highlight(text, ["<script>", "bridge", "12 million", "12"])
    assert marked == (
        "Mayor said <mark>&lt;script&gt;</mark>alert(&quot;x&quot;)&lt;/script&gt; &amp; the "
        "<mark>BRIDGE</mark> cost <mark>12 million</mark>."
    )
    assert highlight("<i>x</i>", []) == "&lt;i&gt;x&lt;/i&gt;"
    assert highlight("a.b", ["."]) == "a<mark>.</mark>b"  # a term is text, not a pattern


# --- Multi-word search, on SQLite too -------------------------------------------------------


@pytest.fixture
def searchable(workspace):
    return {
        "bridge_cost": claim_in(workspace, "The bridge cost $12 million."),
        "bridge_open": claim_in(workspace, "The bridge opened in May."),
        "taxes": claim_in(workspace, "Taxes cost 12 million."),
        "cargo": claim_in(workspace, "Cargo rose 8 percent. Ships waited.", title="Harbour news"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bridge", {"bridge_cost", "bridge_open"}),
        ("Bridge MILLION", {"bridge_cost"}),  # every term must match, in any case
        ("million bridge", {"bridge_cost"}),  # in any order
        ("bridge -opened", {"bridge_cost"}),  # excluded terms
        ('"bridge cost"', {"bridge_cost"}),  # a quoted phrase
        ("harbour cargo", {"cargo"}),  # one term in the title, one in the claim
        ("bridge zeppelin", set()),
    ],
)
def test_multi_word_search(reviewer_client, workspace, searchable, query, expected):
    response = queue(reviewer_client, workspace, q=query)
    assert set(order(response)) == {searchable[name].pk for name in expected}


def test_search_terms_are_parsed_and_bounded():
    assert search_terms('Bridge "12  million" -toll bridge') == (["bridge", "12 million"], ["toll"])
    assert search_terms("  ") == ([], [])
    many = " ".join(f"word{i}" for i in range(50))
    assert len(search_terms(many)[0]) == MAX_SEARCH_TERMS


# --- Bounded work: the same queries for 1 row as for 50 ----------------------------------------


def fill(workspace, count):
    for i in range(count):
        claim = claim_in(
            workspace,
            f"Claim number {i} about the bridge.",
            assignee=UserFactory(),
            status="assigned",
        )
        if i % 2:
            VerdictFactory(claim=claim)


@pytest.mark.parametrize("params", [{}, {"q": "claim bridge", "sort": "due"}, {"sort": "newest"}])
def test_queue_queries_are_pinned(reviewer_client, workspace, django_assert_num_queries, params):
    fill(workspace, 1)
    queue(reviewer_client, workspace, **params)  # the session settles
    with django_assert_num_queries(QUEUE_QUERIES):
        response = queue(reviewer_client, workspace, **params)
    assert len(order(response)) == 1
    fill(workspace, 49)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = queue(reviewer_client, workspace, **params)
    assert len(order(response)) == 50


# Session, user, membership, the filters' members and ratings, the count, the page's ids, the
# page's rows, then what every page reads (unread notifications, the workspace menu, one more
# user lookup of the base template's context).
QUEUE_QUERIES = 11
