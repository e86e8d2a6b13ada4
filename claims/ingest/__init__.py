"""Turn what a fact-checker hands over — an uploaded file or a URL — into plain text.

Plain Python with no Django imports: the web and task layers pass their settings in as
arguments. Every failure is an `IngestError` whose message can be shown to the user as is;
`TransientFetchError` marks fetch failures worth retrying.
"""

from claims.ingest.fetch import (
    FetchedPage,
    TransientFetchError,
    extract_url,
    fetch_url,
    validate_public_url,
)
from claims.ingest.files import SUPPORTED_EXTENSIONS, extract_file
from claims.ingest.text import ExtractedArticle, IngestError, normalise_text

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "ExtractedArticle",
    "FetchedPage",
    "IngestError",
    "TransientFetchError",
    "extract_file",
    "extract_url",
    "fetch_url",
    "normalise_text",
    "validate_public_url",
]
