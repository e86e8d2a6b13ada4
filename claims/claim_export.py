"""The claims export: the queue itself, one row per claim, as CSV, XLSX, JSON or JSON Lines.

The verdict export (claims/exports.py) answers "what did we find"; this one answers "what is on
the desk": each claim with its status, assignee, due date, priority, score, article, claimant
and, once published, the rating readers see. The caller passes the claims the queue shows
(`QueueFilterForm.apply`), in the queue's order.

One query however many claims: the columns are read with `.values_list()` over the claims
joined to their article, assignee and verdict, and streamed with `.iterator()`, so memory stays
flat. Spreadsheet safety is the verdict export's, imported rather than restated: text a
spreadsheet would run as a formula gets a leading quote in CSV and XLSX, JSON is left as is.
"""

import csv
import json
from collections.abc import Iterable, Iterator

from django.db.models import Case, CharField, F, QuerySet, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

from claims.exports import (
    EXPORT_CHUNK_SIZE,
    _json_array,
    _Line,
    _local_iso,
    _naive_local,
    _pieces,
    _xlsx_cell,
    download,
    neutralise,
)
from claims.exports import FORMATS as VERDICT_FORMATS
from claims.models import Claim, Verdict

FORMATS = {fmt: VERDICT_FORMATS[fmt] for fmt in ("csv", "xlsx", "json", "jsonl")}

# Record keys in export order, with the header a spreadsheet shows for them.
COLUMNS = [
    ("claim_id", "Claim ID"),
    ("claim_text", "Claim"),
    ("status", "Status"),
    ("assignee", "Assignee"),
    ("due_date", "Due date"),
    ("priority", "Priority"),
    ("score", "Score"),
    ("created_at", "Created"),
    ("article_title", "Article title"),
    ("article_url", "Article URL"),
    ("claimant", "Claimant"),
    ("published_rating", "Published rating"),
]

# What readers see: the frozen public record's rating (claims/publication.py); a verdict
# published before records were kept has none, and shows its live rating.
_PUBLISHED_RATING = Case(
    When(
        verdict__status=Verdict.Status.PUBLISHED,
        then=Coalesce(
            KeyTextTransform("label", KeyTransform("rating", "verdict__public_record")),
            F("verdict__rating__label"),
            output_field=CharField(),
        ),
    ),
    default=None,
    output_field=CharField(),
)
_VALUES = (
    *("pk", "text", "status", "due_date", "priority", "score", "created_at", "claimant"),
    *("assignee__username", "assignee__first_name", "assignee__last_name"),
    *("article__title", "article__source_url", "published_rating"),
)
_PRIORITIES = dict(Claim.Priority.choices)


def _rows(claims: QuerySet, chunk_size: int) -> Iterator[tuple]:
    rows = claims.annotate(published_rating=_PUBLISHED_RATING).values_list(*_VALUES)
    return rows.iterator(chunk_size=chunk_size)


def _assignee(username, first_name, last_name) -> str | None:
    # User.display_name, from the columns already read.
    return f"{first_name} {last_name}".strip() or username


def claim_records(
    claims: QuerySet, *, chunk_size: int = EXPORT_CHUNK_SIZE, xlsx: bool = False
) -> Iterator[dict]:
    """Each claim as plain data keyed as in COLUMNS; dates as ISO text, or as Excel dates."""
    for row in _rows(claims, chunk_size):
        pk, text, status, due, priority, score, created, claimant, *rest = row
        username, first_name, last_name, title, url, rating = rest
        yield {
            "claim_id": pk,
            "claim_text": text,
            "status": status,
            "assignee": _assignee(username, first_name, last_name) if username else None,
            "due_date": due if xlsx or due is None else due.isoformat(),
            "priority": _PRIORITIES.get(priority, priority),
            "score": round(score, 4),
            "created_at": _naive_local(created) if xlsx else _local_iso(created),
            "article_title": title,
            "article_url": url,
            "claimant": claimant,
            "published_rating": rating,
        }


def _csv_lines(records: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Line())
    # The byte-order mark is how Excel knows the file is UTF-8 rather than the local code page.
    yield "\ufeff" + writer.writerow([header for _, header in COLUMNS])
    for record in records:
        yield writer.writerow([neutralise(record[key]) for key, _ in COLUMNS])


def stream_claims(
    claims: QuerySet, fmt: str, *, chunk_size: int = EXPORT_CHUNK_SIZE
) -> Iterator[bytes]:
    """The export as UTF-8 pieces, for a text format (csv, json, jsonl)."""
    records = claim_records(claims, chunk_size=chunk_size)
    if fmt == "csv":
        return _pieces(_csv_lines(records))
    if fmt == "json":
        return _pieces(_json_array(records))
    if fmt == "jsonl":
        return _pieces(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    raise ValueError(f"Not a text export format: {fmt!r}.")


def write_claims_xlsx(claims: QuerySet, out, *, chunk_size: int = EXPORT_CHUNK_SIZE) -> None:
    """The export as an XLSX workbook; write-only mode keeps memory flat (see exports.py)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Claims")
    sheet.freeze_panes = "A2"
    sheet.append([header for _, header in COLUMNS])
    for record in claim_records(claims, chunk_size=chunk_size, xlsx=True):
        sheet.append([_xlsx_cell(record[key]) for key, _ in COLUMNS])
    workbook.save(out)


def claims_export_response(
    claims: QuerySet, fmt: str, filename_stem: str
) -> StreamingHttpResponse | FileResponse:
    """A download of the claims: streamed text, or an XLSX built in a spooled temporary file."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown claims export format: {fmt!r}.")
    return download(
        FORMATS[fmt],
        filename_stem,
        write_xlsx=lambda out: write_claims_xlsx(claims, out),
        stream=lambda: stream_claims(claims, fmt),
    )
