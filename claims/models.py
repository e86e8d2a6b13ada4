"""The newsroom's domain: workspaces and their members, articles, claims, sources, verdicts.

Every row below the workspace belongs to exactly one workspace (claims carry a copy of their
article's workspace so the queue can be filtered and indexed without a join). Rules that a
database can enforce are constraints; rules about one row are methods; reads over many rows are
QuerySet methods.
"""

import hashlib
import math
import re
import secrets

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

# Characters that reorder the text after them: embeddings and overrides (U+202A-U+202E) and
# isolates (U+2066-U+2069). In a title or a name they make "\u202egnp.exe" show as "exe.png" in
# every list it appears in. The marks (U+200E, U+200F, U+061C) stay: they only place the
# punctuation around them, which Arabic and Hebrew text needs.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def without_bidi_controls(text: str) -> str:
    return text.translate(_BIDI_CONTROLS)


def one_line(text: str, limit: int) -> str:
    """Text for a one-line field: bidi controls out, runs of whitespace one space, cut."""
    return " ".join(without_bidi_controls(text or "").split())[:limit]


def strip_bidi_controls(instance: models.Model, *fields: str) -> None:
    """Clean the named text fields of `instance` before it is saved (the one write path of
    titles and names, whichever form, file, page or command they came from)."""
    for name in fields:
        setattr(instance, name, without_bidi_controls(getattr(instance, name)))


class User(AbstractUser):
    """A person who logs in. Their roles live on Membership, one per workspace."""

    class Meta:
        constraints = [
            # Password reset looks people up by email, so one address names one account.
            models.UniqueConstraint(
                Lower("email"), name="user_email_unique_ci", condition=~Q(email="")
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        strip_bidi_controls(self, "first_name", "last_name")
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


# --- Workspaces -----------------------------------------------------------------------------


class WorkspaceQuerySet(models.QuerySet):
    def for_user(self, user):
        """Workspaces the user is a member of; nothing for an anonymous user."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Workspace(models.Model):
    """A newsroom or desk. Nobody sees a workspace's data unless they are a member."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    # Publisher shown as ClaimReview's author; set by a workspace admin.
    organisation_name = models.CharField(max_length=200, blank=True)
    organisation_url = models.URLField(max_length=500, blank=True)
    # Members must sign in with a second factor (TOTP) to open this workspace.
    require_two_factor = models.BooleanField(default=False)
    # Sentences scoring at or above this become claims (calibrated: 0.5 = check-worthy).
    claim_threshold = models.FloatField(default=0.5)
    # Public "how we work" text shown with the rating scale on the methodology page.
    methodology = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(claim_threshold__gte=0.0, claim_threshold__lte=1.0),
                name="workspace_claim_threshold_range",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        strip_bidi_controls(self, "name", "organisation_name")
        if not self.slug:
            self.slug = slugify(self.name)[:60]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("dashboard", args=[self.slug])

    def install_default_ratings(self) -> None:
        """Give a new workspace the usual scale; leaves an existing scale alone."""
        if self.ratings.exists():
            return
        Rating.objects.bulk_create(
            Rating(
                workspace=self,
                label=label,
                value=value,
                position=position,
                description=Rating.DEFAULT_DEFINITIONS[label],
            )
            for position, (label, value) in enumerate(Rating.DEFAULT_SCALE)
        )

    def rating_bounds(self) -> tuple[int, int] | None:
        """(worst, best) numeric values of the scale, or None when it has no numeric ratings."""
        bounds = self.ratings.filter(value__isnull=False).aggregate(
            worst=models.Min("value"), best=models.Max("value")
        )
        if bounds["worst"] is None:
            return None
        return bounds["worst"], bounds["best"]


class Role(models.TextChoices):
    REVIEWER = "reviewer", "Reviewer"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


class Membership(models.Model):
    """A user's place in a workspace and what they may do there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REVIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} in {self.workspace} ({self.get_role_display()})"

    @property
    def is_editor(self) -> bool:
        """Editors and admins run the desk: assign, approve, publish."""
        return self.role in (Role.EDITOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def can_remove_comment(self, comment: "Comment") -> bool:
        """A comment is removed by whoever wrote it, or by a workspace admin."""
        return self.is_admin or (
            comment.author_id is not None and comment.author_id == self.user_id
        )

    def can_work_on(self, claim: "Claim") -> bool:
        """Editors work on any claim; reviewers only on claims assigned to them."""
        return self.is_editor or claim.assignee_id == self.user_id

    def can_approve(self, verdict: "Verdict") -> bool:
        """An editor approves a submitted verdict whose text they neither wrote nor changed."""
        return (
            self.is_editor
            and verdict.status == Verdict.Status.SUBMITTED
            and not verdict.approval_conflict(self.user_id)
        )


class SitePolicy(models.Model):
    """Instance-wide rules set by a superuser (the instance operator). One row, pk=1."""

    require_two_factor = models.BooleanField(
        default=False, help_text="Every account must sign in with a second factor."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "site policy"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="site_policy_singleton")]

    def __str__(self):
        return "Site policy"

    @classmethod
    def current(cls) -> "SitePolicy":
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor withdrawn: what the inviters see as pending (until it expires).

        A declined invitation stays open: telling the inviter would tell them that an account
        answers to the name they typed.
        """
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self):
        return self.open().filter(expires_at__gt=timezone.now())

    def addressed_to(self, user):
        """Invitations by user name to this account, in any state (e-mail ones need the link).

        Only those made after the account existed: an invitation to a name nobody had (a
        typo, say) must not wait for whoever registers that name later.
        """
        return self.filter(invitee=user.username.lower(), created_at__gte=user.date_joined).exclude(
            invitee__contains="@"
        )

    def waiting_for(self, user):
        """What the account holder can still accept or decline in the app."""
        return self.addressed_to(user).pending().filter(declined_at__isnull=True)

    def by_token(self, token: str):
        return self.filter(token_hash=Invitation.hash_token(token))


class Invitation(models.Model):
    """An offer to join a workspace, accepted by the invitee while logged in.

    The inviter names an e-mail address or user name; they learn nothing about whether an
    account exists behind it, and gain no power over it until the invitee accepts. Only a
    hash of the token is stored: the link in the e-mail is the secret. An invitee containing
    "@" is an e-mail address, anything else a user name.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    # What the inviter typed, normalised (lower case): an e-mail address or a user name.
    invitee = models.CharField(max_length=254)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REVIEWER)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "invitee"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_invitee",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
        ]

    def __str__(self):
        return f"Invitation to {self.workspace}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def issue_token(self) -> str:
        """A fresh secret for the link (the previous link stops working); caller saves."""
        token = secrets.token_urlsafe(32)
        self.token_hash = self.hash_token(token)
        return token

    @property
    def by_email(self) -> bool:
        return "@" in self.invitee

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def closed_reason(self) -> str:
        """Why the invitation can no longer be accepted ("" while it can)."""
        if self.accepted_at:
            return "This invitation has already been used."
        if self.revoked_at:
            return "This invitation was withdrawn by the workspace's admins."
        if self.declined_at:
            return "This invitation was declined."
        if self.is_expired:
            return "This invitation has expired. Ask the workspace's admins for a new one."
        return ""

    def is_for(self, user) -> bool:
        """The account it was sent to: same e-mail address, or same user name."""
        if self.by_email:
            return bool(user.email) and user.email.lower() == self.invitee
        # By name: the account that had the name when the invitation was made (see addressed_to).
        return user.username.lower() == self.invitee and user.date_joined <= self.created_at


class Rating(models.Model):
    """One step of a workspace's rating scale.

    `value` feeds ClaimReview's ratingValue; ratings outside the numeric scale (Misleading,
    Unverifiable) have no value and are published with their label only.
    """

    DEFAULT_SCALE = [
        ("True", 5),
        ("Mostly true", 4),
        ("Half true", 3),
        ("Mostly false", 2),
        ("False", 1),
        ("Misleading", None),
        ("Unverifiable", None),
    ]
    # What each default rating means, published on the methodology page (IFCN and Google ask
    # for the scale's definitions). A workspace's admins reword them in its settings.
    DEFAULT_DEFINITIONS = {
        "True": "The claim is accurate and nothing significant is missing.",
        "Mostly true": "The claim is accurate but needs clarification or additional information.",
        "Half true": "The claim is partly accurate but leaves out important details or takes "
        "things out of context.",
        "Mostly false": "The claim contains an element of truth but ignores facts that would "
        "give a different impression.",
        "False": "The claim is not accurate.",
        "Misleading": "The facts may be right, but the claim is presented in a way that gives "
        "a false impression.",
        "Unverifiable": "There is not enough public evidence to prove or disprove the claim.",
    }

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="ratings")
    label = models.CharField(max_length=60)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["workspace", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                "workspace", Lower("label"), name="rating_label_unique_per_workspace"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=100),
                name="rating_value_range",
            ),
        ]

    def __str__(self):
        return self.label


# --- Articles -------------------------------------------------------------------------------


def web_url(value: str) -> str:
    """The address if it is http(s), else "": only web addresses ever become links."""
    return value if value.lower().startswith(("http://", "https://")) else ""


def text_fingerprint(text: str) -> str:
    """A hash of the text with whitespace and case folded, to spot the same article twice."""
    normalised = " ".join(without_bidi_controls(text).split()).casefold()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


class ArticleQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(workspace__memberships__user=user)


class Article(models.Model):
    """A piece of journalism handed to the desk, stored as plain text."""

    class Origin(models.TextChoices):
        PASTED = "pasted", "Pasted text"
        UPLOAD = "upload", "Uploaded file"
        URL = "url", "Fetched from URL"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Extracting"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_date = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="submitted_articles"
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PASTED)
    original_filename = models.CharField(max_length=255, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    extraction_status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    extraction_error = models.TextField(blank=True)
    extraction_attempts = models.PositiveSmallIntegerField(default=0)
    extracted_at = models.DateTimeField(null=True, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    # Kept up to date by a PostgreSQL trigger (migration 0002); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    # The article page shows the text in parts of about this many characters, so it costs the
    # same for a million-character article as for a news story (which fits in one part).
    PART_CHARS = 50_000

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source_url"],
                condition=~Q(source_url=""),
                name="article_url_unique_per_workspace",
            ),
            models.CheckConstraint(
                condition=Q(origin__in=["pasted", "upload", "url"]), name="article_origin_valid"
            ),
            models.CheckConstraint(
                condition=Q(extraction_status__in=["queued", "running", "done", "failed"]),
                name="article_status_valid",
            ),
            # Pasted articles arrive with their text; fetched and uploaded ones get it from
            # the worker, which parses them outside the web request.
            models.CheckConstraint(
                condition=Q(origin__in=["url", "upload"]) | ~Q(body=""),
                name="article_has_text_unless_url",
            ),
            models.CheckConstraint(
                condition=~Q(origin="url") | ~Q(source_url=""), name="article_url_origin_has_url"
            ),
        ]

    def __str__(self):
        # An upload without a title in it is named by its file, before a bare number.
        return self.title or self.source_url or self.original_filename or f"Article {self.pk}"

    def save(self, *args, **kwargs):
        strip_bidi_controls(self, "title", "outlet", "author", "original_filename")
        update_fields = kwargs.get("update_fields")
        # Claims are offsets into the body, so only a body being written (new article, page
        # fetched, file read) is cleaned, never one that claims already point into.
        if self._state.adding or (update_fields is not None and "body" in update_fields):
            self.body = without_bidi_controls(self.body)
        self.fingerprint = text_fingerprint(self.body) if self.body else ""
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("article_detail", args=[self.workspace.slug, self.pk])

    @property
    def link_url(self) -> str:
        return web_url(self.source_url)

    @property
    def is_failed(self) -> bool:
        return self.extraction_status == self.Status.FAILED

    @property
    def is_pending(self) -> bool:
        """Still waiting for, or in, extraction: the page keeps polling."""
        return self.extraction_status in (self.Status.QUEUED, self.Status.RUNNING)

    def duplicates(self):
        """Other articles of the workspace with the same text."""
        if not self.fingerprint:
            return self.__class__.objects.none()
        return self.workspace.articles.filter(fingerprint=self.fingerprint).exclude(pk=self.pk)

    @property
    def part_count(self) -> int:
        """How many parts of about PART_CHARS the article page shows the text in."""
        return max(1, math.ceil(len(self.body) / self.PART_CHARS))

    def part_bounds(self, number: int) -> tuple[int, int]:
        """The character range [start, end) of part `number` (counted from 1)."""
        return self._part_start(number - 1), self._part_start(number)

    def _part_start(self, index: int) -> int:
        if index <= 0:
            return 0
        if index >= self.part_count:
            return len(self.body)
        at = index * self.PART_CHARS
        # After a line break (extracted claims never cross one), else after a space; looked
        # for in the first half of the part only, so parts never shrink to nothing.
        for separator in ("\n", " "):
            found = self.body.find(separator, at, at + self.PART_CHARS // 2)
            if found != -1:
                return found + 1
        return at

    def segments(self, claims, start: int = 0, end: int | None = None) -> list[dict]:
        """body[start:end] cut into plain and claimed parts, for highlighting claims in the text.

        Overlapping claims (a hand-picked span inside an extracted sentence) cannot both be
        marked inline; the earlier-starting one wins and the other stays listed beside the text.
        A claim crossing the edge of the range is marked as far as the range goes.
        """
        end = len(self.body) if end is None else end
        parts, cursor = [], start
        for claim in sorted(claims, key=lambda c: (c.start, -c.end)):
            low, high = max(claim.start, start), min(claim.end, end)
            if low < cursor or low >= high or claim.end > len(self.body):
                continue
            if low > cursor:
                parts.append({"text": self.body[cursor:low], "claim": None})
            parts.append({"text": self.body[low:high], "claim": claim})
            cursor = high
        if cursor < end:
            parts.append({"text": self.body[cursor:end], "claim": None})
        return parts

    def add_claim(self, *, start: int, end: int, **fields) -> "Claim":
        """Create a claim over body[start:end]; the text is taken from the body, never trusted."""
        if not 0 <= start < end <= len(self.body):
            raise ValueError(f"Offsets {start}..{end} lie outside the article ({len(self.body)}).")
        return Claim.objects.create(
            article=self,
            workspace_id=self.workspace_id,
            start=start,
            end=end,
            text=self.body[start:end],
            **fields,
        )


class ArticleUpload(models.Model):
    """The file as uploaded, kept until the worker has parsed it into the article's text.

    Stored in the database so web and worker need no shared disk; deleted after parsing.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="upload")
    data = models.BinaryField()
    filename = models.CharField(max_length=255)
    # What the submitter typed, which wins over the file's own metadata.
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.filename


class ReportPdf(models.Model):
    """The PDF of an article's verdict report, built by the worker (claims/reports.py).

    WeasyPrint needs seconds for a report of a few dozen claims, so a request never builds
    one: it asks for it (queued) and the download link appears once the worker is done. One
    per article: building again replaces it, with the claims the member was looking at
    (`all_claims`: every claim, or only those somebody worked on, as the report page shows).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="report_pdf")
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    pdf = models.BinaryField(blank=True, editable=False)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    built_at = models.DateTimeField(null=True, blank=True)
    all_claims = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "done", "failed"]), name="report_pdf_status_valid"
            )
        ]

    def __str__(self):
        return f"PDF report of article {self.article_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.QUEUED


class SentencePage(models.Model):
    """One page of an article's sentences with their scores, stored by the extraction task.

    The sentences page lists every sentence so a reviewer can make any of them a claim.
    Splitting and scoring a long article takes seconds, so it is done once, in the worker,
    and kept in pages of SIZE: a request reads one small row whatever the article's length.
    """

    SIZE = 200

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sentence_pages")
    number = models.PositiveIntegerField()  # from 1
    # [[start, end, score], ...] in reading order; a sentence's text is body[start:end].
    spans = models.JSONField(default=list)

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="sentence_page_unique")
        ]

    def __str__(self):
        return f"{self.article_id}: page {self.number}"

    def rows(self, article: Article) -> list[dict]:
        """This page's sentences with their text, and whether each is a claim already."""
        if not self.spans:
            return []
        claims = article.claims.filter(start__gte=self.spans[0][0], start__lte=self.spans[-1][0])
        taken = set(claims.values_list("start", "end"))
        return [
            {"text": article.body[start:end], "start": start, "end": end, "score": score}
            | {"is_claim": (start, end) in taken}
            for start, end, score in self.spans
        ]


# --- Claims ---------------------------------------------------------------------------------


@models.ForeignKey.register_lookup
class AnyOfSubquery(models.Lookup):
    """`fk = ANY(ARRAY(subquery))`: inside an OR, PostgreSQL can serve this from the foreign
    key's index (a BitmapOr), where `fk IN (subquery)` forces a scan of the whole table."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def web_search(terms: str) -> SearchQuery:
    """A PostgreSQL query in web-search syntax: "quoted phrases", -exclusions, or."""
    return SearchQuery(terms, config="english", search_type="websearch")


# A search box query is at most 200 characters; past this many terms the rest are ignored, so
# a pasted paragraph costs a bounded number of LIKE clauses.
MAX_SEARCH_TERMS = 8
_SEARCH_TOKEN_RE = re.compile(r'(-?)"([^"]*)"|(\S+)')


def search_terms(terms: str) -> tuple[list[str], list[str]]:
    """The words a search asks for and those it excludes, in web-search syntax.

    `bridge "12 million" -toll` -> (["bridge", "12 million"], ["toll"]). "or" is read as a
    word, not an operator. At most MAX_SEARCH_TERMS terms, lower-cased, each once.
    """
    wanted, unwanted = [], []
    for quoted_minus, phrase, word in _SEARCH_TOKEN_RE.findall(terms):
        excluded = bool(quoted_minus) or (len(word) > 1 and word.startswith("-"))
        text = (word[1:] if excluded else word).strip('"') if word else phrase
        term = " ".join(text.split()).lower()
        bucket = unwanted if excluded else wanted
        if term and term not in bucket and len(wanted) + len(unwanted) < MAX_SEARCH_TERMS:
            bucket.append(term)
    return wanted, unwanted


class ClaimQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(workspace__memberships__user=user)

    def open(self):
        """Claims still being worked on: not published, not dismissed."""
        return self.exclude(status__in=[Claim.Status.PUBLISHED, Claim.Status.DISMISSED])

    def for_queue(self):
        """What a queue row shows, in one query; article bodies (up to 1 MB) stay behind."""
        return self.select_related("article", "assignee", "verdict__rating", "match").defer(
            "search_vector",
            "embedding",
            "article__body",
            "article__search_vector",
            "match__search_vector",
            "match__embedding",
        )

    def already_checked(self):
        """Claims the matcher found saying the same as a claim with a published verdict."""
        return self.filter(match__status=Claim.Status.PUBLISHED)

    def search(self, terms: str):
        """Claims whose text, or whose article's title or text, match the search terms.

        PostgreSQL: full-text search over `search_vector` columns that triggers keep up to
        date (migration 0002) and GIN indexes serve. Elsewhere (the embedded SQLite default):
        every term (see `search_terms`) must appear, case-insensitively, in the claim's text or
        its article's title or text, and no excluded term may.
        """
        terms = terms.strip()
        if not terms:
            return self
        if connection.vendor != "postgresql":
            wanted, unwanted = search_terms(terms)
            claims = self
            for term in wanted:
                claims = claims.filter(self._contains(term))
            for term in unwanted:
                claims = claims.exclude(self._contains(term))
            return claims
        query = web_search(terms)
        matching_articles = Article.objects.filter(search_vector=query).order_by().values("pk")
        return self.filter(Q(search_vector=query) | Q(article__any_of=matching_articles))

    @staticmethod
    def _contains(term: str) -> Q:
        return (
            Q(text__icontains=term)
            | Q(article__title__icontains=term)
            | Q(article__body__icontains=term)
        )


class ClaimantKind(models.TextChoices):
    PERSON = "person", "A person"
    ORGANIZATION = "organization", "An organisation"


class Claim(models.Model):
    """A checkable statement in an article, tied to its exact place in the text."""

    RESTATEMENT_ADVISED_LENGTH = 75

    class Status(models.TextChoices):
        NEW = "new", "New"
        ASSIGNED = "assigned", "Assigned"
        RESEARCHING = "researching", "Researching"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        DISMISSED = "dismissed", "Dismissed"

    class Priority(models.IntegerChoices):
        LOW = 1, "Low"
        NORMAL = 2, "Normal"
        HIGH = 3, "High"
        URGENT = 4, "Urgent"

    class Origin(models.TextChoices):
        EXTRACTED = "extracted", "Found by the extractor"
        MANUAL = "manual", "Added by hand"

    # Statuses in which somebody must be working on the claim.
    WORKING = (Status.ASSIGNED, Status.RESEARCHING, Status.IN_REVIEW)
    # Claims that keep their own verdict: never linked as a duplicate, nothing carried to them.
    KEEPS_OWN_VERDICT = (Status.PUBLISHED, Status.DISMISSED, Status.IN_REVIEW)
    # The statuses a member may move a claim to by hand (claims/desk.py update_claim), by
    # status now. A new claim is assigned by assigning or taking it; in review and published
    # are reached only through the verdict's workflow; a dismissed claim is reopened.
    TRANSITIONS = {
        Status.NEW: (Status.DISMISSED,),
        Status.ASSIGNED: (Status.RESEARCHING, Status.DISMISSED),
        Status.RESEARCHING: (Status.ASSIGNED, Status.DISMISSED),
        Status.IN_REVIEW: (),
        Status.PUBLISHED: (),
        Status.DISMISSED: (Status.NEW, Status.ASSIGNED),
    }

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="claims")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    text = models.TextField()
    start = models.PositiveIntegerField(help_text="Offset of the first character in the body.")
    end = models.PositiveIntegerField(help_text="Offset just past the last character.")
    score = models.FloatField(default=0.0, help_text="Check-worthiness, 0 to 1.")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.EXTRACTED)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_claims"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    due_date = models.DateField(null=True, blank=True)
    dismissed_reason = models.CharField(max_length=500, blank=True)
    # Attribution, published as ClaimReview's itemReviewed: who made the claim (confirmed by a
    # reviewer; the extractor's guess waits in suggested_claimant), when and where.
    claimant = models.CharField(max_length=300, blank=True)
    claimant_kind = models.CharField(
        max_length=12, choices=ClaimantKind.choices, default=ClaimantKind.PERSON
    )
    suggested_claimant = models.CharField(max_length=300, blank=True, editable=False)
    claim_date = models.DateField(null=True, blank=True)
    appearance_url = models.URLField(max_length=2000, blank=True)
    # claimReviewed: a short restatement of the claim (search results show ~75 characters).
    restatement = models.CharField(max_length=280, blank=True)
    # Why the extractor picked it ("number", "named source", "comparison", "causal", ...).
    cues = models.JSONField(default=list, blank=True)
    # Starts with a reference ("That", "This", "He") that the sentence alone does not resolve.
    needs_context = models.BooleanField(default=False)
    # Sentence embedding for matching (float16 bytes) and the encoder that made it.
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    embedding_model = models.CharField(max_length=100, blank=True, editable=False)
    # The same claim, already in the workspace; its verdict carries across when approved.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    # The matcher's suggestion, set at extraction (claims/matching.py): a claim already in the
    # workspace that says the same, a published one preferred. Unlike duplicate_of nobody
    # confirmed it, so nothing carries across; it feeds "already checked" and the grouping.
    match = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept up to date by a PostgreSQL trigger (migration 0002); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "start"]
        indexes = [
            # The queue's default order, walked in index order so the first page is cheap.
            models.Index(fields=["workspace", "-score", "id"], name="claim_queue_order"),
            models.Index(fields=["workspace", "status", "-score"]),
            models.Index(fields=["workspace", "assignee", "due_date"]),
            models.Index(fields=["article", "start"]),
            # The matching index's freshness stamp (count, max id) without reading the rows.
            models.Index(
                fields=["workspace", "embedding_model", "id"], name="claim_embedding_stamp"
            ),
        ]
        constraints = [
            # Extraction may run twice (retries, a killed worker): a span is a claim once.
            models.UniqueConstraint(fields=["article", "start", "end"], name="claim_span_unique"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="claim_span_not_empty"),
            # The stored text is exactly the span it claims to be.
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("text")), name="claim_text_matches_span"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0.0, score__lte=1.0), name="claim_score_range"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "new",
                        "assigned",
                        "researching",
                        "in_review",
                        "published",
                        "dismissed",
                    ]
                ),
                name="claim_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=4), name="claim_priority_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "researching", "in_review"])
                | Q(assignee__isnull=False),
                name="claim_working_has_assignee",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("pk")), name="claim_not_duplicate_of_itself"
            ),
        ]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return reverse("claim_detail", args=[self.workspace.slug, self.pk])

    def context(self, article_body: str, *, limit: int = 600) -> tuple[str, str, str]:
        """(before, claim, after): the paragraph around the claim, trimmed to `limit` chars."""
        para_start = article_body.rfind("\n", 0, self.start) + 1
        para_end = article_body.find("\n", self.end)
        if para_end == -1:
            para_end = len(article_body)
        before = article_body[max(para_start, self.start - limit) : self.start]
        after = article_body[self.end : min(para_end, self.end + limit)]
        return before, article_body[self.start : self.end], after

    def preceding_sentence(self, article_body: str, *, limit: int = 1500) -> str:
        """The sentence just before the claim (within `limit` characters), or ""."""
        from claims.extraction import split_sentences

        window_start = max(0, self.start - limit)
        sentences = split_sentences(article_body[window_start : self.start])
        return sentences[-1].text if sentences else ""

    @property
    def cue_labels(self) -> list[str]:
        """Why the extractor picked the claim, in words ("a number", "a named source")."""
        from claims.extraction.cues import CUE_LABELS

        return [CUE_LABELS[cue] for cue in self.cues if cue in CUE_LABELS]

    @property
    def checked_before(self) -> "Claim | None":
        """The published claim the matcher found saying the same, if any (load `match`)."""
        if self.match_id and self.match.status == Claim.Status.PUBLISHED:
            return self.match
        return None

    ATTRIBUTION_FIELDS = (
        "claimant",
        "claimant_kind",
        "claim_date",
        "appearance_url",
        "restatement",
    )

    def attribution_values(
        self,
        *,
        claimant: str,
        claimant_kind: str,
        claim_date,
        appearance_url: str,
        restatement: str,
    ) -> dict:
        """The attribution fields as stored, from what a form gave; ValueError says what is wrong.

        One-line text without bidi controls, cut to the columns; the article's own date and
        address are the defaults and are stored as "not set", so correcting the article's
        details later carries through to its claims.
        """
        if claimant_kind not in ClaimantKind.values:
            raise ValueError("Choose whether a person or an organisation made the claim.")
        appearance_url = (appearance_url or "").strip()
        if appearance_url and not web_url(appearance_url):
            raise ValueError("Enter a web address starting with http:// or https://.")
        article = self.article
        return {
            "claimant": one_line(claimant, 300),
            "claimant_kind": claimant_kind,
            "claim_date": None if claim_date == article.published_date else claim_date,
            "appearance_url": "" if appearance_url == article.source_url else appearance_url,
            "restatement": one_line(restatement, 280),
        }

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.due_date < timezone.localdate()
            and self.status not in (self.Status.PUBLISHED, self.Status.DISMISSED)
        )

    def move_refusal(self, membership: Membership, status: str) -> str:
        """Why `membership` may not move the claim to `status` by hand; "" when they may."""
        if not membership.can_work_on(self):
            return "Only the claim's assignee or an editor can change its status."
        if status in (self.Status.IN_REVIEW, self.Status.PUBLISHED):
            return "That status is set by submitting or publishing the verdict."
        if self.status == self.Status.PUBLISHED:
            return "A published claim can only change through a correction."
        if self.status == self.Status.IN_REVIEW:
            return "The verdict is waiting for an editor: approving or sending it back moves on."
        if status not in self.TRANSITIONS[self.status]:
            return f"A claim that is {self.get_status_display().lower()} can't be set to that."
        if self.Status.DISMISSED in (status, self.status) and not membership.is_editor:
            return "Only an editor can dismiss or reopen a claim."
        if status in self.WORKING and self.assignee_id is None:
            return "Assign the claim to someone first."
        if status == self.Status.NEW and self.assignee_id is not None:
            return "Unassign the claim to put it back to new."
        return ""

    def allowed_moves(self, membership: Membership) -> list[str]:
        """The statuses `membership` may move the claim to now, in TRANSITIONS order."""
        return [s for s in self.TRANSITIONS[self.status] if not self.move_refusal(membership, s)]

    def status_hint(self, membership: Membership) -> str:
        """What moves the claim on, for a member who has no move to make by hand."""
        if not membership.can_work_on(self):
            if self.status == self.Status.NEW and self.assignee_id is None:
                return "Take the claim to work on it."
            return "Only the claim's assignee or an editor can change its status."
        if self.status == self.Status.NEW:
            return "Assign the claim (or take it) to start work on it."
        # In review, published, dismissed: why it can't go back to new says what moves it on.
        return self.move_refusal(membership, self.Status.NEW)

    def assignment_refusal(self) -> str:
        """Why the claim can't be assigned now; "" when it can."""
        if self.status in (self.Status.PUBLISHED, self.Status.DISMISSED):
            return f"The claim is {self.get_status_display().lower()}; reopen it first."
        return ""


class Source(models.Model):
    """A piece of evidence attached to a claim."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        REFUTES = "refutes", "Refutes"
        CONTEXT = "context", "Context"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(max_length=2000)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    excerpt = models.TextField(blank=True, help_text="The passage quoted as evidence.")
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.CONTEXT)
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stance__in=["supports", "refutes", "context"]),
                name="source_stance_valid",
            ),
        ]

    def __str__(self):
        return self.title or self.url

    def save(self, *args, **kwargs):
        strip_bidi_controls(self, "title", "publisher")
        super().save(*args, **kwargs)

    @property
    def link_url(self) -> str:
        return web_url(self.url)


class Comment(models.Model):
    """A note between teammates on a claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_not_empty"),
        ]

    def __str__(self):
        return self.body[:80]


# --- Verdicts -------------------------------------------------------------------------------


class Verdict(models.Model):
    """The desk's finding on a claim: drafted by the assignee, approved by an editor.

    `version` increases on every save; a form carries the version it was loaded at, and a save
    against an older version is a conflict rather than a silent overwrite.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for approval"
        PUBLISHED = "published", "Approved and published"

    # ClaimReview's claimReviewed reads best under this many characters.
    SUMMARY_ADVISED_LENGTH = 75

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="verdict")
    rating = models.ForeignKey(
        Rating, on_delete=models.PROTECT, null=True, blank=True, related_name="verdicts"
    )
    summary = models.CharField(max_length=280, blank=True)
    explanation = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="verdicts_written")
    approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="verdicts_approved"
    )
    # Whoever last changed the rating, summary or explanation: they may not approve it.
    last_edited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # What readers see, frozen when the verdict is published and replaced only when a
    # correction is approved (claims/publication.py builds it). Public pages and ClaimReview
    # read this, never the live rows, so nothing public changes silently.
    public_record = models.JSONField(default=dict, blank=True, editable=False)
    # When an approved correction last changed the public record (ClaimReview dateModified).
    modified_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "-published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "published"]),
                name="verdict_status_valid",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="verdict_version_positive"),
            # Nobody approves their own verdict.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("author")),
                name="verdict_not_self_approved",
            ),
            # Nor a text they were the last to change.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(last_edited_by__isnull=True)
                | ~Q(approved_by=F("last_edited_by")),
                name="verdict_not_approved_by_last_editor",
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | Q(
                    rating__isnull=False,
                    approved_by__isnull=False,
                    published_at__isnull=False,
                ),
                name="verdict_published_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(rating__isnull=False),
                name="verdict_submitted_has_rating",
            ),
        ]

    def __str__(self):
        return f"{self.rating or 'Unrated'}: {self.summary[:60]}"

    def approval_conflict(self, user_id: int) -> str:
        """Why this user is not independent of the verdict's text ("" if they are).

        Approval means someone other than its writers read the text as it will be published:
        neither the author nor whoever last changed the rating, summary or explanation.
        """
        if self.author_id == user_id:
            return "You wrote this verdict: another editor must approve it."
        if self.last_edited_by_id == user_id:
            return "You changed this verdict's text: another editor must approve it."
        return ""


class CorrectionQuerySet(models.QuerySet):
    def approved(self):
        """Corrections readers see, oldest first."""
        return self.filter(status=Correction.Status.APPROVED).order_by("decided_at", "pk")

    def proposed(self):
        return self.filter(status=Correction.Status.PROPOSED)


class Correction(models.Model):
    """A change to a published verdict. Proposed by one member, approved by a different editor;
    only then does the public record change, and the correction stays visible to readers.

    `proposed` holds the new state (rating id, summary, explanation, sources, attribution);
    `changes` lists, on approval, what changed for readers: [{"field", "old", "new"}].
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for approval"
        APPROVED = "approved", "Approved and published"
        REJECTED = "rejected", "Rejected"

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="corrections")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True)
    old_rating = models.ForeignKey(
        Rating, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_rating = models.ForeignKey(
        Rating, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    old_summary = models.CharField(max_length=280, blank=True)
    new_summary = models.CharField(max_length=280, blank=True)
    reason = models.TextField()
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason"),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "approved", "rejected"]),
                name="correction_status_valid",
            ),
            # Two people: whoever proposed a correction does not approve it.
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(decided_by__isnull=True)
                | Q(created_by__isnull=True)
                | ~Q(decided_by=F("created_by")),
                name="correction_not_self_approved",
            ),
            # One open proposal per verdict: a second would be approved against a stale state.
            models.UniqueConstraint(
                fields=["verdict"],
                condition=Q(status="proposed"),
                name="correction_one_open_per_verdict",
            ),
        ]

    def __str__(self):
        return f"Correction to {self.verdict_id} on {self.created_at:%Y-%m-%d}"


# --- Activity and notifications -------------------------------------------------------------


class Activity(models.Model):
    """Who did what to which article, claim or verdict, and when. Append-only."""

    class Verb(models.TextChoices):
        ARTICLE_SUBMITTED = "article_submitted", "submitted the article"
        EXTRACTION_FINISHED = "extraction_finished", "extracted claims"
        EXTRACTION_FAILED = "extraction_failed", "extraction failed"
        CLAIM_CREATED = "claim_created", "added the claim"
        CLAIM_ASSIGNED = "claim_assigned", "assigned the claim"
        CLAIM_UNASSIGNED = "claim_unassigned", "unassigned the claim"
        CLAIM_UPDATED = "claim_updated", "updated the claim"
        CLAIM_DISMISSED = "claim_dismissed", "dismissed the claim"
        SOURCE_ADDED = "source_added", "added a source"
        SOURCE_CHANGED = "source_changed", "edited a source"
        SOURCE_REMOVED = "source_removed", "removed a source"
        COMMENTED = "commented", "commented"
        VERDICT_SAVED = "verdict_saved", "saved the verdict"
        VERDICT_SUBMITTED = "verdict_submitted", "submitted the verdict"
        VERDICT_RETURNED = "verdict_returned", "sent the verdict back"
        VERDICT_PUBLISHED = "verdict_published", "published the verdict"
        VERDICT_CORRECTED = "verdict_corrected", "corrected the verdict"
        CORRECTION_PROPOSED = "correction_proposed", "proposed a correction"
        CORRECTION_REJECTED = "correction_rejected", "rejected a correction"
        CLAIM_ATTRIBUTED = "claim_attributed", "updated the claim's attribution"
        DUPLICATE_LINKED = "duplicate_linked", "linked the claim as a duplicate"
        DUPLICATE_UNLINKED = "duplicate_unlinked", "unlinked the duplicate"
        ARTICLE_CORRECTED = "article_corrected", "corrected the article's details"
        # Logged without the article (its own log goes with it): detail names what it was.
        ARTICLE_DELETED = "article_deleted", "deleted an article"
        COMMENT_REMOVED = "comment_removed", "removed a comment"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="activity")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=30, choices=Verb.choices)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="activity"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="activity"
    )
    verdict = models.ForeignKey(
        Verdict, on_delete=models.CASCADE, null=True, blank=True, related_name="activity"
    )
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "activity"
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(fields=["claim", "-created_at"]),
        ]

    def __str__(self):
        who = self.actor or "The system"
        return f"{who} {self.get_verb_display()}"

    @classmethod
    def record(
        cls,
        verb: str,
        *,
        workspace_id: int,
        actor,
        article=None,
        claim=None,
        verdict=None,
        detail: dict | None = None,
    ) -> "Activity":
        """The one way the log is written: the claim's article is filled in from the claim."""
        article_id = article.pk if article is not None else (claim.article_id if claim else None)
        return cls.objects.create(
            workspace_id=workspace_id,
            actor=actor,
            verb=verb,
            article_id=article_id,
            claim=claim,
            verdict=verdict,
            detail=detail or {},
        )


class Notification(models.Model):
    """Something a member should see: a claim assigned to them, a verdict sent back."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notifications")
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self):
        return self.message
