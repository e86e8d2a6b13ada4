"""A workspace whose every user-editable field holds the same text, entered the way users do.

`build_world(text)` fills the fields through the app's own forms and views (so their
validation applies) as the member who would type them; only user names, which the app has no
form for, come from the factory. `render_everything(world)` then fetches every page, htmx
partial and admin page that shows those fields.

Building the same world twice, once with harmless text and once with a hostile payload, gives
two renders of every page that differ only in the data: anything the hostile one has more of
came from the data.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from claims import services, tasks
from claims.models import Article, Claim, Membership, Rating, Role, Verdict, Workspace
from tests.conftest import approval_seen
from tests.factories import InvitationFactory, UserFactory, WorkspaceFactory
from tests.security.markup import Page, parse

HTMX = {"HX-Request": "true"}
SLUG = "xss-desk"


def web_address(text: str) -> str:
    """An http(s) address carrying the text, that URL fields accept (no spaces)."""
    return "https://evidence.example/" + text.replace(" ", "%20").replace("\n", "%0A")


def article_body(text: str) -> str:
    """Four lines: the payload alone, then inside sentences, for claims over each."""
    return (
        "Unemployment fell to 3.9 percent in March, the labour ministry said.\n"
        f"{text}\n"
        f"The city spent $12 million on the new bridge, said {text} on Friday.\n"
        f"Officials said {text} was twice the original budget."
    )


def _expect(response, *statuses):
    """Stop building at once when a step did not do what it should: a half-built world
    would let the checks pass without having looked at the field."""
    assert response.status_code in statuses, (
        f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} answered "
        f"{response.status_code}, expected {statuses}:\n{response.content[:2000]!r}"
    )
    return response


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class World:
    text: str
    workspace: Workspace
    users: dict
    clients: dict
    # Filled in step by step by build_world.
    article: Article | None = None
    upload: Article | None = None
    claim: Claim | None = None  # over the payload line; its verdict is published, then corrected
    open_claim: Claim | None = None  # assigned in bulk, still open
    dismissed_claim: Claim | None = None
    rating: Rating | None = None
    verdict: Verdict | None = None
    source_pk: int | None = None
    # Responses to the claim page's htmx forms (sections with out-of-band header and history),
    # to forms sent back with errors (they show the input again), to messages naming the text.
    responses: dict = field(default_factory=dict)

    def url(self, name, *args):
        return reverse(name, args=[SLUG, *args])

    def post(self, who, name, args, data, status, *, keep=None, **kwargs):
        """POST as `who` to the desk URL `name`; expect `status`; keep the answer as `keep`."""
        response = _expect(self.clients[who].post(self.url(name, *args), data, **kwargs), status)
        if keep:
            self.responses[keep] = response
        return response


def build_world(text: str) -> World:
    users = {
        role: UserFactory(username=role, first_name=text, last_name=text)
        for role in ("admin", "editor", "reviewer")
    }
    workspace = WorkspaceFactory(name="Desk", slug=SLUG)
    for role, user in users.items():
        Membership.objects.create(user=user, workspace=workspace, role=Role(role))
    root = UserFactory(username="root", first_name=text, is_staff=True, is_superuser=True)
    clients = {role: _client(user) for role, user in {**users, "root": root}.items()}
    world = World(text=text, workspace=workspace, users=users, clients=clients)
    _set_up_workspace(world)
    _hand_over_articles(world)
    _assign(world)
    _review(world)
    _send_forms_with_errors(world)
    return world


def _set_up_workspace(world: World) -> None:
    """The admin names the publisher, adds a rating, and tries to add an unknown member."""
    text = world.text
    world.post(
        "admin",
        "organisation_save",
        [],
        {"name": text, "organisation_name": text, "organisation_url": web_address(text)},
        302,
    )
    world.post(
        "admin",
        "rating_add",
        [],
        {"label": text[:60], "description": text[:300], "position": 9},
        200,
        follow=True,
        keep="settings after rating saved",
    )
    world.rating = Rating.objects.get(workspace=world.workspace, position=9)
    world.post(
        "admin",
        "member_invite",
        [],
        {"who": text[:254], "role": "reviewer"},
        200,
        follow=True,
        keep="settings after unknown member",
    )


def _hand_over_articles(world: World) -> None:
    """The reviewer pastes an article and uploads another, then makes claims by hand."""
    text = world.text
    paste = {
        "source": "paste",
        "title": text,
        "body": article_body(text),
        "source_url": web_address(text),
        "outlet": text,
        "author": text,
    }
    world.post("reviewer", "article_new", [], paste, 302)
    articles = world.workspace.articles
    world.article = articles.get(origin=Article.Origin.PASTED)
    # As a browser sends it: the test client would not escape the quote in the header.
    name = text.replace('"', "%22") + ".txt"
    upload = SimpleUploadedFile(name, f"Uploaded: {text}\n\nThe mayor said so.".encode())
    data = {"source": "upload", "file": upload, "outlet": text}
    world.post("reviewer", "article_new", [], data, 302)
    world.upload = articles.get(origin=Article.Origin.UPLOAD)
    # What the worker does after the request: read the file, list the sentences.
    tasks.extract_article.apply(args=[world.upload.pk])
    world.upload.refresh_from_db()
    services.list_sentences(world.article)
    lines = world.article.body.split("\n")
    claims = []
    for number in (1, 2, 3):
        start = sum(len(line) + 1 for line in lines[:number])
        span = {"start": start, "end": start + len(lines[number]), "unit": "char"}
        world.post("reviewer", "claim_create", [world.article.pk], span, 302)
        claims.append(Claim.objects.get(article=world.article, start=start))
    world.claim, world.open_claim, world.dismissed_claim = claims


def _assign(world: World) -> None:
    """The editor assigns one claim (its message names the assignee), two more in bulk."""
    reviewer = world.users["reviewer"].pk
    world.post(
        "editor",
        "claim_assign",
        [world.claim.pk],
        {"assignee": reviewer, "priority": 3},
        200,
        headers=HTMX,
        keep="claim: assignment section",
    )
    bulk = {"reason": world.text[:500], "next": world.url("claim_queue")}
    for claim, action in ((world.open_claim, "assign"), (world.dismissed_claim, "dismiss")):
        data = {**bulk, "action": action, "assignee": reviewer, "claims": [claim.pk]}
        world.post("editor", "queue_bulk", [], data, 302)


def _review(world: World) -> None:
    """The reviewer adds evidence, comments and drafts; the editor saves over a stale
    version, approves and corrects."""
    text, claim, rating = world.text, world.claim, world.rating
    source = {
        "url": web_address(text),
        "title": text,
        "publisher": text,
        "excerpt": text,
        "stance": "refutes",
    }
    world.post(
        "reviewer",
        "source_add",
        [claim.pk],
        source,
        200,
        headers=HTMX,
        keep="claim: sources section",
    )
    world.source_pk = claim.sources.get().pk
    world.post(
        "reviewer",
        "comment_add",
        [claim.pk],
        {"body": text},
        200,
        headers=HTMX,
        keep="claim: comments section",
    )
    draft = {"rating": rating.pk, "summary": text[:280], "explanation": f"{text}\n\n{text}"}
    world.post(
        "reviewer",
        "verdict_save",
        [claim.pk],
        {**draft, "version": 0},
        200,
        headers=HTMX,
        keep="claim: verdict section",
    )
    world.post(
        "editor",
        "verdict_save",
        [claim.pk],
        {**draft, "summary": "x", "version": 0},
        409,
        headers=HTMX,
        keep="claim: verdict conflict",
    )
    verdict = Verdict.objects.get(claim=claim)
    world.post("reviewer", "verdict_submit", [claim.pk], {"version": verdict.version}, 302)
    verdict.refresh_from_db()
    world.post(
        "editor",
        "verdict_publish",
        [claim.pk],
        {"version": verdict.version},
        200,
        headers=HTMX,
        keep="claim: verdict published",
    )
    verdict.refresh_from_db()
    # The editor proposes a correction (an edited excerpt and a new source), the admin
    # approves it; then the reviewer proposes another, left waiting (its diff shows the text).
    correction = {
        **draft,
        "explanation": text,
        "reason": text,
        "version": verdict.version,
        **_correction_sources(text, source["url"]),
    }
    world.post(
        "editor",
        "verdict_correct",
        [claim.pk],
        correction,
        200,
        headers=HTMX,
        keep="claim: correction proposed",
    )
    proposal = verdict.corrections.get()
    world.post(
        "admin",
        "correction_approve",
        [claim.pk, proposal.pk],
        {"seen": approval_seen(proposal)},
        200,
        headers=HTMX,
        keep="claim: verdict corrected",
    )
    verdict.refresh_from_db()
    assert verdict.status == Verdict.Status.PUBLISHED and verdict.modified_at
    pending = {**correction, "summary": f"{text[:270]} (again)", "version": verdict.version}
    current = claim.sources.values_list("url", flat=True)
    pending.update(_correction_sources(text, *current, new="proposed"))
    world.post("reviewer", "verdict_correct", [claim.pk], pending, 302)
    world.verdict = verdict
    # A draft as well, which the ClaimReview check lists as not yet publishable; and evidence
    # on that open claim, whose sources can still be edited.
    world.post("reviewer", "verdict_save", [world.open_claim.pk], {**draft, "version": 0}, 302)
    world.post("reviewer", "source_add", [world.open_claim.pk], source, 302)
    world.source_pk = world.open_claim.sources.get().pk


def _correction_sources(text: str, *current, new="corrected") -> dict:
    """A correction form's sources: the current ones kept with the text as their excerpt,
    and one new source."""
    rows = [{"url": url, "keep": "on"} for url in current]
    rows.append({"url": web_address(f"{text}/{new}")})
    data = {"sources-TOTAL_FORMS": len(rows), "sources-INITIAL_FORMS": len(rows) - 1}
    for index, row in enumerate(rows):
        for name, value in {**row, "title": text, "excerpt": text, "stance": "refutes"}.items():
            data[f"sources-{index}-{name}"] = value
    return data


def _send_forms_with_errors(world: World) -> None:
    """Forms sent back with errors show the input again, in value="" and <textarea>."""
    text, claim = world.text, world.open_claim
    source = {"url": "not an address", "title": text, "publisher": text, "excerpt": text}
    for name, args, headers, keep in (
        ("source_add", [claim.pk], HTMX, "claim: sources section with errors"),
        ("source_edit", [claim.pk, world.source_pk], {}, "source edit with errors"),
    ):
        world.post("reviewer", name, args, source, 400, headers=headers, keep=keep)
    paste = {
        "source": "paste",
        "title": text,
        "body": " ",
        "source_url": "not an address",
        "outlet": text,
        "author": text,
    }
    world.post(
        "reviewer",
        "article_new",
        [],
        paste,
        422,
        headers=HTMX,
        keep="article form with errors (htmx)",
    )
    organisation = {"name": text, "organisation_name": text, "organisation_url": "ftp://x.example"}
    world.post(
        "admin",
        "organisation_save",
        [],
        organisation,
        400,
        keep="settings with organisation errors",
    )
    rating = {"label": text[:60], "description": text[:300]}
    world.post("admin", "rating_add", [], rating, 400, keep="settings with rating errors")


# Every model the Django admin lists.
ADMIN_MODELS = (
    "workspace membership rating article claim source comment verdict correction "
    "activity notification user".split()
)


def render_everything(world: World) -> dict[str, Page]:
    """Every HTML page, partial and form response showing the world's fields, by name."""
    clients = world.clients
    reviewer, editor = clients["reviewer"], clients["editor"]
    article, claim, desk = world.article, world.claim, world.url

    queue_all = desk("claim_queue") + "?" + urlencode({"status": "all"})
    # Invitations arrive by e-mail, whose link (the token) no form gives: from the factory.
    invitee = UserFactory(username="invitee", first_name=world.text)
    invited = {"workspace": world.workspace, "invited_by": world.users["admin"]}
    by_name = InvitationFactory(invitee="invitee", **invited)
    by_email = InvitationFactory(invitee="new.person@example.org", **invited)
    pages = {
        "dashboard": (reviewer, desk("dashboard"), {}),
        "workspace list": (reviewer, reverse("workspace_list"), {}),
        "queue (htmx results)": (
            reviewer,
            queue_all,
            {**HTMX, "HX-Target": "queue-results"},
        ),
        "queue, searched for the text": (
            reviewer,
            desk("claim_queue") + "?" + urlencode({"status": "all", "q": world.text}),
            {},
        ),
        "my claims": (reviewer, desk("my_claims"), {}),
        "article": (reviewer, desk("article_detail", article.pk), {}),
        "article (htmx polling)": (
            reviewer,
            desk("article_detail", article.pk),
            {**HTMX, "HX-Target": "article-body"},
        ),
        "uploaded article": (reviewer, desk("article_detail", world.upload.pk), {}),
        "sentences": (reviewer, desk("article_sentences", article.pk), {}),
        "claim": (reviewer, desk("claim_detail", claim.pk), {}),
        "claim as editor": (editor, desk("claim_detail", claim.pk), {}),
        "dismissed claim": (reviewer, desk("claim_detail", world.dismissed_claim.pk), {}),
        "source edit": (
            reviewer,
            desk("source_edit", world.open_claim.pk, world.source_pk),
            {},
        ),
        "article details form": (editor, desk("article_edit", article.pk), {}),
        "article details form (htmx)": (editor, desk("article_edit", article.pk), HTMX),
        "article delete": (clients["admin"], desk("article_delete", article.pk), {}),
        "verdict": (reviewer, desk("verdict_detail", claim.pk), {}),
        "claimreview check, searched for the text": (
            reviewer,
            desk("claimreview_check") + "?" + urlencode({"status": "all", "q": world.text}),
            {},
        ),
        "notifications (reviewer)": (reviewer, reverse("notifications"), {}),
        "notifications (editor)": (editor, reverse("notifications"), {}),
        "workspace settings": (clients["admin"], desk("workspace_settings"), {}),
        "workspace list with an invitation": (_client(invitee), reverse("workspace_list"), {}),
        "invitation link": (
            _client(invitee),
            reverse("invitation_detail", args=[by_name.token]),
            {},
        ),
        "invitation sign-up": (
            Client(),
            reverse("invitation_signup", args=[by_email.token]),
            {},
        ),
        "article report": (reviewer, desk("article_report", article.pk), {}),
        "public verdict": (Client(), reverse("public_verdict", args=[SLUG, world.verdict.pk]), {}),
        # A local address, so the login form keeps it (in a hidden field) to go to next.
        "login with next": (
            Client(),
            reverse("login") + "?" + urlencode({"next": "/?q=" + world.text}),
            {},
        ),
    }
    for model in ADMIN_MODELS:
        pages[f"admin: {model} list"] = (
            clients["root"],
            reverse(f"admin:claims_{model}_changelist"),
            {},
        )

    rendered = {}
    for name, (client, path, headers) in pages.items():
        response = _expect(client.get(path, headers=headers), 200)
        rendered[name] = parse(name, response.content.decode())
    for name, response in world.responses.items():
        rendered[name] = parse(name, response.content.decode())
    return rendered
