"""Verdict exports: CSV, XLSX, JSON, JSON Lines and ClaimReview (the article report and its
PDF are in claims/reports.py).

Every export is fed by one prefetching queryset and streamed: verdicts are read
`EXPORT_CHUNK_SIZE` at a time with `.iterator()`, so memory stays flat however many there are,
and each chunk costs the same few queries (the rows, their sources, their approved corrections).

CSV, XLSX, JSON and JSON Lines are the desk's own view: the live rows, drafts included, with
each verdict's approved corrections (JSON: a "corrections" list of date, changes and reason;
spreadsheets: how many, and the latest one's date and reason). The ClaimReview export is what
search engines are told: each published verdict's frozen public record, with dateModified and
its corrections, exactly as on its public page.
The caller decides which verdicts: `workspace_verdicts(workspace)` scopes them to one
workspace, and the queue's filters are applied on top of it.

Spreadsheet safety (OWASP "CSV injection"): a spreadsheet runs a cell as a formula when its text
starts with =, +, -, @, a tab or a carriage return. Claim text, summaries and source titles come
from the outside world, so in CSV and XLSX any such text cell gets a leading single quote (')
and is shown as text. Numbers we write as numbers are left alone, and JSON is never changed.
"""

import csv
import json
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import BinaryIO

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from claims import publication
from claims.claimreview import (
    CLAIMREVIEW_SELECT_RELATED,
    ClaimReviewError,
    build_claimreview,
    json_ld,
    public_url,
    verdict_public_url,
)
from claims.models import Claim, Source, Verdict, Workspace

EXPORT_CHUNK_SIZE = 1000

# Text is sent in pieces of about this size: one write per row would mean thousands of tiny
# socket writes, one write per export would mean holding it all in memory.
STREAM_PIECE_BYTES = 64 * 1024

# An XLSX file is a zip, written whole before it can be sent; past this size the spool moves
# from memory to a temporary file on disk.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024
# Excel's limit for one cell; longer text makes Excel "repair" (empty) the cell.
XLSX_CELL_MAX_CHARS = 32_767

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# openpyxl's ILLEGAL_CHARACTERS_RE (control characters) plus what XML 1.0 also excludes and
# lxml refuses: surrogates and the non-characters U+FFFE and U+FFFF.
XML_ILLEGAL_CHARACTERS_RE = re.compile(
    ILLEGAL_CHARACTERS_RE.pattern + r"|[\ud800-\udfff\ufffe\uffff]"
)

# What an export row reads, joined in the one query that walks the verdicts. Only these columns
# are loaded: an export touches a handful of fields of seven models, and building a model
# instance costs time per loaded field (long article bodies never leave the database). Reading
# any other field of an exported verdict costs a query per row, which the query-count tests catch.
EXPORT_SELECT_RELATED = (
    *CLAIMREVIEW_SELECT_RELATED,
    "claim__assignee",
    "author",
    "approved_by",
)
_PEOPLE = ("author", "approved_by", "claim__assignee")
EXPORT_FIELDS = (
    *("status", "summary", "explanation", "published_at", "claim", "rating"),
    *("author", "approved_by"),
    *("claim__text", "claim__start", "claim__end", "claim__status", "claim__priority"),
    *("claim__workspace", "claim__article", "claim__assignee"),
    *("claim__article__title", "claim__article__source_url", "claim__article__outlet"),
    *("claim__article__author", "claim__article__published_date"),
    *("claim__workspace__name", "claim__workspace__slug"),
    *("claim__workspace__organisation_name", "claim__workspace__organisation_url"),
    *("rating__label", "rating__value", "rating__workspace"),
    *(f"{who}__{field}" for who in _PEOPLE for field in ("username", "first_name", "last_name")),
)
# What ClaimReview reads besides: the frozen record, and for a verdict published without one
# (or a draft, to say why it has no markup) the live attribution its record would be built from.
CLAIMREVIEW_FIELDS = (
    *("public_record", "modified_at", "rating__description"),
    *("claim__restatement", "claim__claimant", "claim__claimant_kind"),
    *("claim__claim_date", "claim__appearance_url"),
)
_CLAIM_VERDICT = Claim.verdict.related
SOURCE_FIELDS = ("url", "title", "publisher", "stance")


@dataclass(frozen=True)
class ExportFormat:
    content_type: str
    extension: str


FORMATS = {
    "csv": ExportFormat("text/csv; charset=utf-8", "csv"),
    "xlsx": ExportFormat(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    ),
    "json": ExportFormat("application/json", "json"),
    "jsonl": ExportFormat("application/jsonl; charset=utf-8", "jsonl"),
    "claimreview": ExportFormat("application/ld+json", "json"),
}

# Record keys in export order, with the header a spreadsheet shows for them.
COLUMNS = [
    ("verdict_id", "Verdict ID"),
    ("workspace", "Workspace"),
    ("article_title", "Article title"),
    ("article_url", "Article URL"),
    ("outlet", "Outlet"),
    ("claim_text", "Claim"),
    ("claim_start", "Claim start"),
    ("claim_end", "Claim end"),
    ("claim_status", "Claim status"),
    ("assignee", "Assignee"),
    ("priority", "Priority"),
    ("rating", "Rating"),
    ("rating_value", "Rating value"),
    ("summary", "Summary"),
    ("explanation", "Explanation"),
    ("verdict_status", "Verdict status"),
    ("author", "Author"),
    ("approved_by", "Approved by"),
    ("published_at", "Published at"),
    ("public_url", "Public URL"),
    ("sources", "Sources"),
    ("corrections", "Corrections"),
]

# Spreadsheets flatten the corrections list: how many (the "corrections" column), and the
# latest one's date and reason in two more columns.
SPREADSHEET_COLUMNS = [
    *COLUMNS,
    ("latest_correction_date", "Latest correction date"),
    ("latest_correction_reason", "Latest correction reason"),
]

_PUBLISHED_AT = [key for key, _ in SPREADSHEET_COLUMNS].index("published_at")
_LATEST_CORRECTION_DATE = [key for key, _ in SPREADSHEET_COLUMNS].index("latest_correction_date")

InvalidCallback = Callable[[Verdict, list[str]], None]


# --- Which verdicts, loaded how -------------------------------------------------------------


def workspace_verdicts(workspace: Workspace) -> QuerySet:
    """Every verdict of the workspace: the only starting point for an export."""
    return Verdict.objects.filter(claim__workspace=workspace)


def _for_export(queryset: QuerySet, *, claimreview: bool = False) -> QuerySet:
    fields = (*EXPORT_FIELDS, *CLAIMREVIEW_FIELDS) if claimreview else EXPORT_FIELDS
    queryset = queryset.select_related(*EXPORT_SELECT_RELATED).only(*fields)
    # A stable order keeps two exports of the same data comparable line by line.
    return queryset if queryset.ordered else queryset.order_by("pk")


def iter_verdicts(
    queryset: QuerySet, *, chunk_size: int = EXPORT_CHUNK_SIZE, claimreview: bool = False
) -> Iterator[Verdict]:
    """The verdicts with everything an export reads, `chunk_size` of them in memory at a time.

    Each verdict comes with `export_sources` and `export_corrections` (its approved
    corrections, as `publication.approved_corrections` gives them), lists of plain dicts
    fetched for the whole chunk in one query each. This is prefetch_related done by hand:
    Django's builds a queryset per verdict to hold its cache, which made exports three times
    slower, and a 100,000-row download has to finish inside the web server's timeout.
    `claimreview` also loads the public record and what markup reads, which the other formats
    leave in the database.
    """
    rows = _for_export(queryset, claimreview=claimreview).iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        _attach_sources_and_corrections(chunk)
        yield from chunk
        # select_related caches verdict.claim and claim.verdict: a reference cycle, freed only
        # by the garbage collector's rare full passes, so memory would grow with the rows.
        # Breaking it, and dropping the list, frees each chunk before the next one is read.
        for verdict in chunk:
            _CLAIM_VERDICT.delete_cached_value(verdict.claim)
        del chunk


def _attach_sources_and_corrections(verdicts: list[Verdict]) -> None:
    sources = defaultdict(list)
    claim_ids = [v.claim_id for v in verdicts]
    for row in (
        Source.objects.filter(claim_id__in=claim_ids)
        .order_by("created_at", "pk")
        .values("claim_id", *SOURCE_FIELDS)
    ):
        sources[row.pop("claim_id")].append(row)
    corrections = publication.approved_corrections(v.pk for v in verdicts)
    for verdict in verdicts:
        verdict.export_sources = sources[verdict.claim_id]
        verdict.export_corrections = corrections[verdict.pk]


class _PublicUrls:
    """public_url() for many verdicts, reversing each workspace's address only once.

    Reversing takes some 60 µs, a fifth of the time a whole row takes, and every verdict of
    a workspace shares its address but for the id at the end.
    """

    def __init__(self):
        self._prefixes = {}

    def __call__(self, verdict: Verdict) -> str:
        slug = verdict.claim.workspace.slug
        if slug not in self._prefixes:
            sample = verdict_public_url(slug, 1)
            # Should the URL pattern ever stop ending in "<pk>/", fall back to reversing.
            self._prefixes[slug] = sample.removesuffix("/1/") if sample.endswith("/1/") else None
        prefix = self._prefixes[slug]
        return f"{prefix}/{verdict.pk}/" if prefix else public_url(verdict)


class _RatingBounds:
    """Each workspace's (worst, best) rating, read once per export instead of once per row."""

    def __init__(self):
        self._bounds = {}

    def __call__(self, verdict: Verdict):
        workspace = verdict.claim.workspace
        if workspace.pk not in self._bounds:
            self._bounds[workspace.pk] = workspace.rating_bounds()
        return self._bounds[workspace.pk]


# --- One verdict as data --------------------------------------------------------------------


def _name(user) -> str | None:
    return user.display_name if user else None


def _local_iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def verdict_record(verdict: Verdict, *, urls=public_url) -> dict:
    """One verdict as plain JSON-ready data, keyed as in COLUMNS (load it via iter_verdicts).

    `urls` gives a verdict's public URL; exports pass one that reverses once per workspace.
    """
    claim, article, rating = verdict.claim, verdict.claim.article, verdict.rating
    published = verdict.status == Verdict.Status.PUBLISHED
    return {
        "verdict_id": verdict.pk,
        "workspace": claim.workspace.name,
        "article_title": article.title,
        "article_url": article.source_url,
        "outlet": article.outlet,
        "claim_text": claim.text,
        "claim_start": claim.start,
        "claim_end": claim.end,
        "claim_status": claim.status,
        "assignee": _name(claim.assignee),
        "priority": claim.get_priority_display(),
        "rating": rating.label if rating else None,
        "rating_value": rating.value if rating else None,
        "summary": verdict.summary,
        "explanation": verdict.explanation,
        "verdict_status": verdict.status,
        "author": _name(verdict.author),
        "approved_by": _name(verdict.approved_by),
        "published_at": _local_iso(verdict.published_at),
        "public_url": urls(verdict) if published else None,
        "sources": verdict.export_sources,
        "corrections": [
            {"date": _local_iso(c["date"]), "changes": c["changes"], "reason": c["reason"]}
            for c in verdict.export_corrections
        ],
    }


def spreadsheet_row(record: dict) -> list:
    """A record flattened to cells: sources one per line in a cell, corrections counted and
    the latest one's date and reason in cells of their own."""
    flat = dict(record)
    flat["sources"] = "\n".join(f"{s['url']} ({s['stance']})" for s in record["sources"])
    corrections = record["corrections"]
    flat["corrections"] = len(corrections)
    latest = corrections[-1] if corrections else {}
    flat["latest_correction_date"] = latest.get("date")
    flat["latest_correction_reason"] = latest.get("reason")
    return [flat[key] for key, _ in SPREADSHEET_COLUMNS]


def neutralise(value):
    """Text a spreadsheet would run as a formula, made inert with a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# --- Text formats ---------------------------------------------------------------------------


class _Line:
    """A file-like that hands back what csv.writer writes, so each row is one string."""

    def write(self, text: str) -> str:
        return text


def _pieces(parts: Iterable[str]) -> Iterator[bytes]:
    """UTF-8 bytes in pieces of about STREAM_PIECE_BYTES."""
    buffer, size = [], 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= STREAM_PIECE_BYTES:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def _records(verdicts: Iterable[Verdict]) -> Iterator[dict]:
    urls = _PublicUrls()
    for verdict in verdicts:
        yield verdict_record(verdict, urls=urls)


def _csv_lines(records: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Line())
    # The byte-order mark is how Excel knows the file is UTF-8 rather than the local code page.
    yield "\ufeff" + writer.writerow([header for _, header in SPREADSHEET_COLUMNS])
    for record in records:
        yield writer.writerow([neutralise(value) for value in spreadsheet_row(record)])


def _json_array(objects: Iterable[dict], *, dumps=None) -> Iterator[str]:
    dumps = dumps or (lambda obj: json.dumps(obj, ensure_ascii=False))
    yield "["
    separator = "\n"
    for obj in objects:
        yield separator + dumps(obj)
        separator = ",\n"
    yield "\n]\n"


def _frozen(verdict: Verdict) -> bool:
    return verdict.status == Verdict.Status.PUBLISHED and bool(verdict.public_record)


def _markup_or_reasons(verdicts: Iterable[Verdict]) -> Iterator[tuple[Verdict, dict | None, list]]:
    """(verdict, markup, []) for each verdict with valid markup, (verdict, None, reasons) else.

    A frozen record carries its own rating bounds; only a verdict without one needs the
    workspace's scale, read once per workspace.
    """
    bounds, urls = _RatingBounds(), _PublicUrls()
    for verdict in verdicts:
        try:
            markup = build_claimreview(
                verdict,
                bounds=None if _frozen(verdict) else bounds(verdict),
                url=urls(verdict),
                corrections=verdict.export_corrections,
            )
        except ClaimReviewError as error:
            yield verdict, None, error.reasons
        else:
            yield verdict, markup, []


def _claimreviews(
    verdicts: Iterable[Verdict], on_invalid: InvalidCallback | None
) -> Iterator[dict]:
    for verdict, markup, reasons in _markup_or_reasons(verdicts):
        if markup is None:
            if on_invalid:
                on_invalid(verdict, reasons)
            continue
        yield markup


def stream_export(
    queryset: QuerySet,
    fmt: str,
    *,
    on_invalid: InvalidCallback | None = None,
    chunk_size: int = EXPORT_CHUNK_SIZE,
) -> Iterator[bytes]:
    """The export as UTF-8 pieces, for a text format (all but xlsx).

    For "claimreview", verdicts that cannot have valid markup are left out and handed to
    `on_invalid(verdict, reasons)` as they are met.
    """
    verdicts = iter_verdicts(queryset, chunk_size=chunk_size, claimreview=fmt == "claimreview")
    if fmt == "csv":
        return _pieces(_csv_lines(_records(verdicts)))
    if fmt == "json":
        return _pieces(_json_array(_records(verdicts)))
    if fmt == "jsonl":
        return _pieces(json.dumps(r, ensure_ascii=False) + "\n" for r in _records(verdicts))
    if fmt == "claimreview":
        # Escaped as on the public page, so the markup can be pasted into a <script> element.
        return _pieces(_json_array(_claimreviews(verdicts, on_invalid), dumps=json_ld))
    raise ValueError(f"Not a text export format: {fmt!r}.")


def invalid_claimreviews(
    queryset: QuerySet, *, chunk_size: int = EXPORT_CHUNK_SIZE
) -> Iterator[tuple[Verdict, list[str]]]:
    """The verdicts a ClaimReview export leaves out, each with the reasons why."""
    verdicts = iter_verdicts(queryset, chunk_size=chunk_size, claimreview=True)
    for verdict, markup, reasons in _markup_or_reasons(verdicts):
        if markup is None:
            yield verdict, reasons


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx_cell(value):
    if not isinstance(value, str):
        return value
    # XML cannot hold these, so neither can XLSX: openpyxl refuses them, or the XML writer does.
    value = neutralise(XML_ILLEGAL_CHARACTERS_RE.sub("", value))
    return value[:XLSX_CELL_MAX_CHARS]


def write_xlsx(queryset: QuerySet, out: BinaryIO, *, chunk_size: int = EXPORT_CHUNK_SIZE) -> None:
    """Write the export as an XLSX workbook to a binary file.

    openpyxl's write-only mode streams rows to a temporary file as they are appended, with
    strings inline rather than in a shared table, so memory does not grow with the rows.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Verdicts")
    sheet.freeze_panes = "A2"
    sheet.append([header for _, header in SPREADSHEET_COLUMNS])
    urls = _PublicUrls()
    for verdict in iter_verdicts(queryset, chunk_size=chunk_size):
        row = spreadsheet_row(verdict_record(verdict, urls=urls))
        # Excel has no time zones: a real date-time, in the desk's local time, sorts and filters.
        row[_PUBLISHED_AT] = _naive_local(verdict.published_at)
        if verdict.export_corrections:
            row[_LATEST_CORRECTION_DATE] = _naive_local(verdict.export_corrections[-1]["date"])
        sheet.append([_xlsx_cell(value) for value in row])
    workbook.save(out)


def _naive_local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


# --- Writing and responding -----------------------------------------------------------------


def write_export(
    queryset: QuerySet,
    fmt: str,
    out: BinaryIO,
    *,
    on_invalid: InvalidCallback | None = None,
    chunk_size: int = EXPORT_CHUNK_SIZE,
) -> None:
    """Write the export in any format to a binary file (a command's output, a benchmark)."""
    if fmt == "xlsx":
        write_xlsx(queryset, out, chunk_size=chunk_size)
        return
    for piece in stream_export(queryset, fmt, on_invalid=on_invalid, chunk_size=chunk_size):
        out.write(piece)


def safe_filename(stem: str, extension: str) -> str:
    """An ASCII-only file name: no header or file-system surprises on any browser or OS."""
    return f"{(slugify(stem) or 'verdicts')[:100]}.{extension}"


def export_response(
    queryset: QuerySet, fmt: str, filename_stem: str
) -> StreamingHttpResponse | FileResponse:
    """A download of the verdict export: streamed text, or an XLSX in a spooled file."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format: {fmt!r}.")
    return download(
        FORMATS[fmt],
        filename_stem,
        write_xlsx=lambda out: write_xlsx(queryset, out),
        stream=lambda: stream_export(queryset, fmt),
    )


def download(
    spec, filename_stem: str, *, write_xlsx: Callable, stream: Callable
) -> StreamingHttpResponse | FileResponse:
    """The one way an export is sent: text formats streamed as they are produced; XLSX (a zip,
    written whole before it can be sent) built by `write_xlsx(out)` in a spooled temporary
    file that moves to disk past XLSX_SPOOL_BYTES."""
    filename = safe_filename(filename_stem, spec.extension)
    if spec.extension == "xlsx":
        spool = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
        try:
            write_xlsx(spool)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        # FileResponse closes the spool once it is sent, which deletes it.
        return FileResponse(
            spool, as_attachment=True, filename=filename, content_type=spec.content_type
        )
    response = StreamingHttpResponse(stream(), content_type=spec.content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
