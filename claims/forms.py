"""Forms validate input and nothing else; views call services with the cleaned data."""

import copy
import re
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims import two_factor
from claims.ingest.fetch import validate_public_url
from claims.ingest.text import MAX_TEXT_CHARS, IngestError, make_article
from claims.models import Claim, Rating, Role, Source, User, Workspace


class ArticleDetailsForm(forms.Form):
    """Optional details a fact-checker may give with any article."""

    title = forms.CharField(max_length=500, required=False)
    outlet = forms.CharField(max_length=200, required=False)
    author = forms.CharField(max_length=300, required=False)
    published_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ArticleMetadataForm(ArticleDetailsForm):
    """The details of an article with its original address: what intake takes with pasted
    text, and what an editor may correct later (claims/curation.py; the text stays)."""

    source_url = forms.URLField(
        label="Original address", max_length=2000, required=False, assume_scheme="https"
    )
    field_order = ["title", "source_url", "outlet", "author", "published_date"]

    def clean_source_url(self):
        url = self.cleaned_data["source_url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Only http and https addresses are accepted.")
        return url


class PasteForm(ArticleMetadataForm):
    body = forms.CharField(
        label="Article text",
        widget=forms.Textarea(attrs={"rows": 14}),
        # A little slack over the stored limit: normalising whitespace shortens the text.
        max_length=MAX_TEXT_CHARS + 100_000,
        strip=False,
    )
    field_order = ["title", "body", "source_url", "outlet", "author", "published_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Text pasted from PDFs can carry NUL bytes; normalising removes them, so don't
        # refuse the whole article for it.
        self.fields["body"].validators = [
            v
            for v in self.fields["body"].validators
            if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def clean_body(self):
        try:
            return make_article(self.cleaned_data["body"]).text
        except IngestError as exc:
            raise forms.ValidationError(str(exc)) from None


class UploadForm(ArticleDetailsForm):
    file = forms.FileField(
        label="Article file",
        help_text="Text (.txt, .md), web page (.html), Word (.docx) or PDF.",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.html,.htm,.docx,.pdf"}),
    )
    field_order = ["file", "title", "outlet", "author", "published_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # static/js/upload.js refuses a bigger file before the browser sends it.
        self.fields["file"].widget.attrs["data-max-bytes"] = settings.UPLOAD_MAX_BYTES

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The file is too large. The limit is {limit} MB.")
        return upload


class UrlForm(forms.Form):
    url = forms.CharField(
        label="Article address",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text="We fetch the page in the background and extract its text.",
    )
    title = forms.CharField(max_length=500, required=False)

    def clean_url(self):
        try:
            return validate_public_url(self.cleaned_data["url"].strip())
        except IngestError as exc:
            raise forms.ValidationError(str(exc)) from None


def utf16_to_index(text: str, offset: int) -> int:
    """Convert a browser's UTF-16 offset into a Python string index.

    JavaScript counts characters outside the Basic Multilingual Plane (emoji, some CJK) as
    two; Python counts them as one. Returns -1 if the offset falls inside such a pair.
    """
    # Encoding is one pass in C: a loop over a million-character article took 0.1 s.
    encoded = text.encode("utf-16-le", "surrogatepass")
    if not 0 <= offset <= len(encoded) // 2:
        return -1
    prefix = encoded[: 2 * offset]
    if prefix and 0xD800 <= int.from_bytes(prefix[-2:], "little") <= 0xDBFF:
        return -1  # ends on the first half of a pair
    return len(prefix.decode("utf-16-le", "surrogatepass"))


MAX_MANUAL_CLAIM_CHARS = 2_000


class ManualClaimForm(forms.Form):
    """A span of the article to make a claim of: a listed sentence or a selection.

    Offsets from a browser selection come in UTF-16 units (unit=utf16) with the selected text,
    which must match the article at that place, so a stale page cannot claim the wrong words.
    """

    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    unit = forms.ChoiceField(
        choices=[("char", "char"), ("utf16", "utf16")], initial="char", widget=forms.HiddenInput
    )
    text = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def __init__(self, *args, article=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article

    def clean(self):
        data = super().clean()
        if self.errors:
            raise forms.ValidationError("That selection is invalid.")
        body = self.article.body
        start, end = data["start"], data["end"]
        if data["unit"] == "utf16":
            start, end = utf16_to_index(body, start), utf16_to_index(body, end)
        if not 0 <= start < end <= len(body):
            raise forms.ValidationError("That selection is outside the article text.")
        if data["text"] and body[start:end] != data["text"]:
            raise forms.ValidationError(
                "The selection no longer matches the article text. Reload the page and try again."
            )
        # A selection often catches the spaces around words; the claim is the words.
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        if end - start < 3:
            raise forms.ValidationError("Select at least a few words to make a claim.")
        if end - start > MAX_MANUAL_CLAIM_CHARS:
            # A claim is a statement; scoring and matching cost grows with the selection.
            raise forms.ValidationError(
                f"A claim can be at most {MAX_MANUAL_CLAIM_CHARS:,} characters. "
                "Select the sentence that makes it."
            )
        self.start, self.end = start, end
        return data


# --- The claim queue ------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the URL so a view can be bookmarked and shared.

    Invalid values are ignored (the field's default applies) rather than failing the page.
    """

    SORTS = {
        "score": ("-score", "pk"),
        "due": (F("due_date").asc(nulls_last=True), "-score", "pk"),
        "priority": ("-priority", "-score", "pk"),
        "newest": ("-created_at", "-pk"),
        "oldest": ("created_at", "pk"),
        "status": ("status", "-score", "pk"),
        # Near-duplicates together: a group is a claim and those linked to, or matching, it.
        "similar": (Coalesce("duplicate_of", "match", "id"), "pk"),
    }
    # The queue's sortable column headers: column -> {sort key: its aria-sort direction}. A
    # header links to its first key; clicking it again gives the next (newest <-> oldest).
    SORT_COLUMNS = {
        "score": {"score": "descending"},
        "status": {"status": "ascending"},
        "priority": {"priority": "descending"},
        "due": {"due": "ascending"},
        "created": {"newest": "descending", "oldest": "ascending"},
    }
    STATUS_CHOICES = [("open", "Open (not published or dismissed)"), ("all", "Any status")] + [
        (value, label) for value, label in Claim.Status.choices
    ]
    DUE_CHOICES = [
        ("", "Any due date"),
        ("overdue", "Overdue"),
        ("week", "Due within 7 days"),
        ("none", "No due date"),
    ]

    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, initial="open")
    assignee = forms.CharField(required=False)
    article = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    rating = forms.CharField(required=False)
    priority = forms.TypedChoiceField(
        choices=[("", "Any priority"), *Claim.Priority.choices], coerce=int, required=False
    )
    due = forms.ChoiceField(choices=DUE_CHOICES, required=False)
    checked = forms.ChoiceField(
        choices=[
            ("", "Checked before or not"),
            ("yes", "Already checked"),
            ("no", "Not checked before"),
        ],
        required=False,
        label="Matches",
    )
    min_score = forms.FloatField(
        required=False, min_value=0, max_value=1, label="Check-worthiness at least"
    )
    sort = forms.ChoiceField(
        choices=[
            ("score", "Most check-worthy"),
            ("due", "Due soonest"),
            ("priority", "Highest priority"),
            ("newest", "Newest"),
            ("oldest", "Oldest"),
            ("status", "Status"),
            ("similar", "Near-duplicates together"),
        ],
        required=False,
    )

    def __init__(self, data, *, membership, **kwargs):
        super().__init__(data, **kwargs)
        self.membership = membership
        workspace = membership.workspace
        self.members = list(
            User.objects.filter(memberships__workspace=workspace).order_by("username")
        )
        self.ratings = list(workspace.ratings.all())
        self.fields["assignee"].widget = forms.Select(
            choices=[("", "Anyone"), ("me", "Me"), ("unassigned", "Unassigned")]
            + [(str(u.pk), u.display_name) for u in self.members]
        )
        self.fields["rating"].widget = forms.Select(
            choices=[("", "Any rating"), ("none", "Not rated yet")]
            + [(str(r.pk), r.label) for r in self.ratings]
        )

    def value(self, name):
        """The cleaned value, or the field's default when missing or invalid."""
        if self.is_bound and name not in self.errors:
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                return value
        return self.fields[name].initial or ""

    def apply(self, claims):
        """Filter and order a workspace's claims as the form says."""
        self.is_valid()
        user = self.membership.user
        status = self.value("status")
        if status == "open":
            claims = claims.open()
        elif status != "all":
            claims = claims.filter(status=status)
        assignee = self.value("assignee")
        if assignee == "me":
            claims = claims.filter(assignee=user)
        elif assignee == "unassigned":
            claims = claims.filter(assignee__isnull=True)
        elif assignee.isdigit():
            claims = claims.filter(assignee_id=int(assignee))
        if self.value("article"):
            claims = claims.filter(article_id=self.value("article"))
        rating = self.value("rating")
        if rating == "none":
            claims = claims.filter(Q(verdict__isnull=True) | Q(verdict__rating__isnull=True))
        elif rating.isdigit():
            claims = claims.filter(verdict__rating_id=int(rating))
        if self.value("priority"):
            claims = claims.filter(priority=self.value("priority"))
        today = timezone.localdate()
        due = self.value("due")
        if due == "overdue":
            claims = claims.open().filter(due_date__lt=today)
        elif due == "week":
            claims = claims.filter(due_date__gte=today, due_date__lte=today + timedelta(days=7))
        elif due == "none":
            claims = claims.filter(due_date__isnull=True)
        if self.value("checked") == "yes":
            claims = claims.already_checked()
        elif self.value("checked") == "no":
            claims = claims.exclude(match__status=Claim.Status.PUBLISHED)
        if self.value("min_score") != "":
            claims = claims.filter(score__gte=self.value("min_score"))
        claims = claims.search(self.value("q"))
        return claims.order_by(*self.SORTS[self.value("sort") or "score"])

    def sort_headers(self) -> dict:
        """Per sortable column: the query string its header links to, and its aria-sort.

        The links keep every filter; the active column has aria-sort, the others none.
        """
        current = self.value("sort") or "score"
        headers = {}
        for column, directions in self.SORT_COLUMNS.items():
            keys = list(directions)
            target = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
            headers[column] = {
                "query": self.querystring(sort=target),
                "aria_sort": directions.get(current, ""),
            }
        return headers

    def active_filters(self) -> list[tuple[str, str]]:
        """The filters in force, as (label, value) in words, e.g. [("Status", "Published")]."""
        self.is_valid()
        active = []
        for name, field in self.fields.items():
            value = self.value(name)
            if name == "sort" or value in (None, ""):
                continue
            choices = getattr(field, "choices", None) or getattr(field.widget, "choices", ())
            words = {str(key): label for key, label in choices}.get(str(value), str(value))
            if name == "article":
                words = f"#{value}"
            active.append((field.label or name.replace("_", " ").capitalize(), words))
        return active

    def changed_count(self) -> int:
        """How many filters differ from their defaults: the queue's "Filters (2 active)"."""
        self.is_valid()
        return sum(
            1
            for name, field in self.fields.items()
            if name != "sort" and self.value(name) not in (None, "", field.initial)
        )

    def querystring(self, **overrides) -> str:
        """The current filters as a query string, e.g. for pagination and export links."""
        params = {}
        if self.is_bound:
            for name in self.fields:
                value = self.data.get(name)
                if value not in (None, "") and name not in self.errors:
                    params[name] = value
        params.update({k: v for k, v in overrides.items() if v not in (None, "")})
        for name, value in overrides.items():
            if value in (None, ""):
                params.pop(name, None)
        return urlencode(params)


class BulkActionForm(forms.Form):
    """An action the queue applies to the selected claims."""

    ACTIONS = [
        ("assign", "Assign to…"),
        ("unassign", "Unassign"),
        ("priority", "Set priority…"),
        ("researching", "Mark as researching"),
        ("dismiss", "Dismiss (give a reason)"),
        ("duplicate", "Link as duplicates of…"),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    priority = forms.TypedChoiceField(
        choices=[("", "—"), *Claim.Priority.choices], coerce=int, required=False, empty_value=None
    )
    reason = forms.CharField(max_length=500, required=False, label="Reason for dismissing")
    original = forms.IntegerField(
        min_value=1,
        required=False,
        label="Duplicates of claim #",
        help_text="Empty: the published one among the selected, else the oldest.",
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            memberships__workspace=membership.workspace
        ).order_by("username")
        self.fields["assignee"].label_from_instance = lambda user: user.display_name

    def clean(self):
        data = super().clean()
        # Checkbox values from the queue page; anything that isn't an id is ignored.
        ids = [int(v) for v in self.data.getlist("claims") if str(v).isdigit()]
        if not ids:
            raise forms.ValidationError("Select at least one claim.")
        data["claims"] = ids[:500]
        return data

    def error_text(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


# --- The claim page -------------------------------------------------------------------------


def http_url(value: str) -> str:
    """Evidence links must be web addresses: no javascript:, data: or file: URLs."""
    if value and not value.lower().startswith(("http://", "https://")):
        raise forms.ValidationError("Enter a web address starting with http:// or https://.")
    return value


class SourceForm(forms.ModelForm):
    """Evidence for a claim. The URL is checked for shape only; it is never fetched here."""

    url = forms.URLField(label="Address", max_length=2000, assume_scheme="https")

    class Meta:
        model = Source
        fields = ["url", "title", "publisher", "excerpt", "stance"]
        widgets = {"excerpt": forms.Textarea(attrs={"rows": 3})}
        labels = {"excerpt": "Quoted passage"}

    def clean_url(self):
        return http_url(self.cleaned_data["url"])


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write something first.")
        return body


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody (unassign)"
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    priority = forms.TypedChoiceField(choices=Claim.Priority.choices, coerce=int)

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            memberships__workspace=workspace, is_active=True
        ).order_by("username")
        self.fields["assignee"].label_from_instance = lambda user: user.display_name


class ClaimStatusForm(forms.Form):
    """A status move by hand. It offers only the moves Claim.TRANSITIONS allows this member
    from the status the claim is in now (the page shows one button per move), so what it
    offers is what update_claim accepts."""

    BUTTONS = {
        Claim.Status.NEW: "Reopen",
        Claim.Status.ASSIGNED: "Back to assigned",
        Claim.Status.RESEARCHING: "Start research",
        Claim.Status.DISMISSED: "Dismiss",
    }

    status = forms.ChoiceField(choices=())
    dismissed_reason = forms.CharField(
        max_length=500,
        required=False,
        label="Why dismiss it?",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": "500", "required": True}),
    )

    def __init__(self, *args, claim: Claim, membership, **kwargs):
        super().__init__(*args, **kwargs)
        reopening = claim.status == Claim.Status.DISMISSED
        self.fields["status"].choices = [
            (move, "Reopen" if reopening else self.BUTTONS[move])
            for move in claim.allowed_moves(membership)
        ]
        self.fields["status"].error_messages["invalid_choice"] = (
            f"The claim is {claim.get_status_display().lower()} now: that move isn't possible"
            " from there."
        )

    @property
    def moves(self) -> list[tuple[str, str]]:
        """The moves shown as plain buttons; dismissing has its own form, with the reason."""
        choices = self.fields["status"].choices
        return [(v, label) for v, label in choices if v != Claim.Status.DISMISSED]

    @property
    def can_dismiss(self) -> bool:
        return any(v == Claim.Status.DISMISSED for v, _ in self.fields["status"].choices)

    def clean(self):
        data = super().clean()
        if data.get("status") == Claim.Status.DISMISSED:
            data["dismissed_reason"] = data.get("dismissed_reason", "").strip()
            if not data["dismissed_reason"]:
                self.add_error("dismissed_reason", "Say why the claim is dismissed.")
        return data


class VerdictForm(forms.Form):
    """The verdict draft. `version` is the version the form was loaded at, for conflicts."""

    rating = forms.ModelChoiceField(queryset=Rating.objects.none(), required=False)
    summary = forms.CharField(
        max_length=280,
        required=False,
        help_text="One line. Search engines show about 75 characters.",
        widget=forms.TextInput(attrs={"data-counter": "75", "maxlength": "280"}),
    )
    explanation = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].queryset = workspace.ratings.all()
        self.fields["rating"].empty_label = "Choose a rating"


class CorrectionForm(VerdictForm):
    reason = forms.CharField(
        label="Reason for the correction (shown to readers)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].required = True
        # The claim's attribution is public too (ClaimReview's itemReviewed): a correction may
        # change it, with the same fields and checks as the attribution section.
        for name in Claim.ATTRIBUTION_FIELDS:
            self.fields[name] = copy.deepcopy(AttributionForm.base_fields[name])
        # A correction that sends no attribution leaves it as it is (see attribution()).
        self.fields["claimant_kind"].required = False
        # The reason is asked last, after what changes.
        self.fields["reason"] = self.fields.pop("reason")

    def clean_appearance_url(self):
        return http_url(self.cleaned_data["appearance_url"])

    def attribution(self) -> dict | None:
        """The proposed attribution, or None when the form sent none (the page always does)."""
        if not self.cleaned_data.get("claimant_kind"):
            return None
        return {name: self.cleaned_data[name] for name in Claim.ATTRIBUTION_FIELDS}


class CorrectionSourceForm(forms.Form):
    """One source of a proposed correction: a current one (kept or not, its address fixed) or
    a new one (an empty row left empty adds nothing)."""

    keep = forms.BooleanField(required=False, initial=True, label="Keep this source")
    url = forms.URLField(label="Address", max_length=2000, assume_scheme="https", required=False)
    title = forms.CharField(max_length=500, required=False)
    publisher = forms.CharField(max_length=200, required=False)
    excerpt = forms.CharField(
        label="Quoted passage", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    stance = forms.ChoiceField(choices=Source.Stance.choices, initial=Source.Stance.CONTEXT)

    def clean_url(self):
        return http_url(self.cleaned_data["url"])

    def clean(self):
        data = super().clean()
        described = data.get("title") or data.get("publisher") or data.get("excerpt")
        if described and not data.get("url") and "url" not in self.errors:
            self.add_error("url", "Give the new source's address.")
        return data


class BaseCorrectionSourceFormSet(forms.BaseFormSet):
    """The full list of sources a correction proposes; the first `initial` rows are the
    verdict's current sources, the rest new ones."""

    def clean(self):
        if any(self.errors):
            return
        urls = [entry["url"] for entry in self.proposed_sources()]
        if not urls:
            raise forms.ValidationError("Keep or add at least one source.")
        if len(set(urls)) != len(urls):
            raise forms.ValidationError("A source is listed twice: keep each address once.")

    def proposed_sources(self) -> list[dict]:
        sources = []
        for index, form in enumerate(self.forms):
            data = form.cleaned_data
            current = index < self.initial_form_count()
            if not data.get("url") or (current and not data.get("keep")):
                continue
            sources.append({name: data[name] for name in ("url", *SOURCE_DETAILS)})
        return sources


SOURCE_DETAILS = ("title", "publisher", "excerpt", "stance")
CorrectionSourceFormSet = forms.formset_factory(
    CorrectionSourceForm,
    formset=BaseCorrectionSourceFormSet,
    extra=2,
    max_num=100,
    validate_max=True,
)


class CorrectionDecisionForm(forms.Form):
    """Rejecting (or withdrawing) a proposed correction; the note is for its proposer."""

    note = forms.CharField(
        label="Why reject it (its proposer reads this)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="What needs to change", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class AttributionForm(forms.Form):
    """Who made the claim, when and where, and its restatement (claims/attribution.py)."""

    claimant = forms.CharField(
        label="Who made the claim",
        max_length=300,
        required=False,
        help_text="A person or an organisation, as readers should see the name.",
        # The <datalist> of the workspace's earlier claimants (claim_detail.html).
        widget=forms.TextInput(attrs={"list": "claimant-choices", "autocomplete": "off"}),
    )
    claimant_kind = forms.ChoiceField(
        label="Made by", choices=Claim._meta.get_field("claimant_kind").choices
    )
    claim_date = forms.DateField(
        label="When", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    appearance_url = forms.URLField(
        label="Where (address)", max_length=2000, required=False, assume_scheme="https"
    )
    restatement = forms.CharField(
        label="The claim, restated",
        max_length=280,
        required=False,
        help_text="Short and neutral: published as the claim reviewed. Search engines show "
        "about 75 characters.",
        widget=forms.TextInput(attrs={"data-counter": "75", "maxlength": "280"}),
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the verdict form on the same page has fields of its own.
        kwargs.setdefault("auto_id", "attribution_%s")
        super().__init__(*args, **kwargs)

    def clean_appearance_url(self):
        return http_url(self.cleaned_data["appearance_url"])


# --- Workspace settings (admins) ------------------------------------------------------------


class OrganisationForm(forms.ModelForm):
    """Who publishes the workspace's fact-checks (ClaimReview's author)."""

    organisation_url = forms.URLField(
        label="Organisation website", max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Workspace
        fields = ["name", "organisation_name", "organisation_url"]

    def clean_organisation_url(self):
        return http_url(self.cleaned_data["organisation_url"])


class MethodologyForm(forms.ModelForm):
    """How the desk works, in its own words: shown to anyone on the public methodology page,
    with the rating scale (IFCN and Google ask fact-checkers to publish both)."""

    methodology = forms.CharField(
        label="Methodology (public)",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="How you choose claims, research them and rate them, and how readers ask for "
        "a correction. Plain text; blank lines separate paragraphs. Anyone can read it.",
    )

    class Meta:
        model = Workspace
        fields = ["methodology"]


class ClaimSelectionForm(forms.ModelForm):
    """How sure the detector must be before a sentence becomes a claim."""

    claim_threshold = forms.FloatField(
        label="Claim threshold",
        min_value=0.0,
        max_value=1.0,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        help_text="A sentence becomes a claim when its check-worthiness is at least this "
        "(0.5: as likely check-worthy as not). Lower finds more claims, higher fewer; at most "
        "about a third of an article's sentences are picked either way. Applies to articles "
        "extracted from now on.",
    )

    class Meta:
        model = Workspace
        fields = ["claim_threshold"]


class MemberInviteForm(forms.Form):
    who = forms.CharField(
        label="E-mail address or user name",
        max_length=254,
        help_text="They get an invitation and join when they accept it. Someone without an"
        " account creates one from the e-mailed link.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REVIEWER)


class InvitationSignupForm(UserCreationForm):
    """A new account for the invitee: user name and password; the e-mail is the invitation's.

    Django's UserCreationForm: password validators (including similarity to the user name and
    e-mail), user names unique regardless of case.
    """

    email = forms.EmailField(label="E-mail address", disabled=True, required=False)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)

    def __init__(self, *args, invitation, **kwargs):
        # The e-mail is on the instance before validation, so the similarity check sees it.
        super().__init__(*args, instance=User(email=invitation.invitee), **kwargs)
        self.fields["email"].initial = invitation.invitee
        self.order_fields(["username", "email", "password1", "password2"])

    def clean_username(self):
        username = super().clean_username()
        if username and "@" in username:
            # "@" marks an e-mail address in invitations; a user name must never look like one.
            raise forms.ValidationError("A user name can't contain “@”.")
        return username


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class RatingForm(forms.ModelForm):
    class Meta:
        model = Rating
        fields = ["label", "value", "description", "position"]
        help_texts = {
            "value": "1 (worst) and up; leave empty for ratings outside the scale, "
            "such as Misleading.",
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value is not None and not 1 <= value <= 100:
            raise forms.ValidationError("Use a value from 1 to 100, or leave it empty.")
        return value

    def clean_label(self):
        label = self.cleaned_data["label"].strip()
        clash = self.workspace.ratings.filter(label__iexact=label)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("The scale already has a rating with that label.")
        return label


# --- Two-factor sign-in ---------------------------------------------------------------------

RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")  # django-otp's StaticToken.random_token()


def _code_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=40,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


def _any_code(value: str) -> str:
    code = two_factor.normalise(value)
    if not (two_factor.is_app_code(code) or RECOVERY_CODE.fullmatch(code)):
        raise forms.ValidationError(
            "Enter the 6 digits your app shows, or a recovery code (8 letters and digits)."
        )
    return code


class CodeForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    code = _code_field(
        "Code",
        "The 6-digit code your authenticator app shows, or one of your recovery codes.",
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_code(self):
        return _any_code(self.cleaned_data["code"])


class ConfirmCodeForm(forms.Form):
    """The first code from a newly added app, which proves it holds the secret."""

    code = _code_field("Code from your app")
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_code(self):
        code = two_factor.normalise(self.cleaned_data["code"])
        if not two_factor.is_app_code(code):
            raise forms.ValidationError("Enter the 6 digits your app shows for this site.")
        return code


class PasswordCheckForm(forms.Form):
    """The account's password again, before a change to how it signs in."""

    password = forms.CharField(
        label="Your password",
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password


class TurnOffTwoFactorForm(PasswordCheckForm):
    """Turning two-factor off takes the password and a current code (or a recovery code)."""

    code = _code_field("Code", "From your authenticator app, or one of your recovery codes.")

    def clean_code(self):
        return _any_code(self.cleaned_data["code"])


class WorkspaceTwoFactorForm(forms.ModelForm):
    """A workspace admin requires two-factor sign-in of every member."""

    class Meta:
        model = Workspace
        fields = ["require_two_factor"]
        labels = {"require_two_factor": "Require two-factor sign-in"}
        help_texts = {
            "require_two_factor": "Members who have not set it up are asked to, the next "
            "time they open this workspace. Other workspaces are not affected."
        }

    def __init__(self, *args, admin_verified: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.admin_verified = admin_verified

    def clean_require_two_factor(self):
        required = self.cleaned_data["require_two_factor"]
        if required and not self.admin_verified:
            raise forms.ValidationError(
                "Turn on two-factor sign-in for your own account first (Two-factor sign-in, "
                "in your menu), so that requiring it does not lock you out."
            )
        return required


class DuplicateForm(forms.Form):
    """Link a claim as a duplicate of another claim (by number), or unlink it (empty)."""

    original = forms.IntegerField(min_value=1, required=False, label="Duplicate of claim #")

    def __init__(self, *args, claim, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim = claim

    def clean_original(self):
        original = self.cleaned_data["original"]
        if original == self.claim.pk:
            raise forms.ValidationError("A claim can't be a duplicate of itself.")
        return original

    def error_text(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)
