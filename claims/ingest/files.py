"""Text from a file a fact-checker uploads: .txt, .md, .html/.htm, .docx or .pdf.

The extension says what the user thinks they uploaded; the bytes must agree before any
parser sees them. Uploads are untrusted, so every limit (size, zip expansion, page count,
text length) is checked before the expensive step it protects.
"""

import io
import re
import zipfile
from pathlib import PurePosixPath

import docx
import filetype
import lxml.etree
import pypdf
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf.errors import DependencyError, FileNotDecryptedError

from claims.ingest.html import extract_html, sniff_charset
from claims.ingest.text import (
    MAX_TEXT_CHARS,
    TEXT_TOO_LONG,
    ExtractedArticle,
    IngestError,
    decode_text,
    format_size,
    make_article,
    normalise_text,
    real_author,
    real_title,
    title_from_first_line,
)

SUPPORTED_EXTENSIONS = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")

# A .docx is a zip of XML; these bound what it may expand to before python-docx opens it.
MAX_DOCX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
DOCX_UNCOMPRESSED_PER_UPLOAD_BYTE = 10
MAX_DOCX_COMPRESSION_RATIO = 100
MAX_DOCX_MEMBERS = 5_000
# The XML a document's text and formatting live in, which is what costs memory to parse.
MAX_DOCX_XML_BYTES = 25 * 1024 * 1024
# Small members of real documents can compress very well; the ratio matters for big ones.
_RATIO_CHECK_FROM_BYTES = 1024 * 1024

MAX_PDF_PAGES = 2_000

# Finding the article in a page costs seconds per megabyte of HTML; a saved news page is well
# under this (and so is what a URL fetch accepts by default, FETCH_MAX_MB).
MAX_HTML_BYTES = 5 * 1024 * 1024

_LOCKED_PDF = (
    "This PDF is password-protected. Remove the password (for example by printing it to a "
    "new PDF) and upload it again."
)

# "contro-\nversial": a hyphen ending a line between two letters; the next one's case decides.
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-\n(?=([^\W\d_]))")

_SUPPORTED = ", ".join(SUPPORTED_EXTENSIONS)

# Formats that can be pure ASCII, so they would pass the text checks on their own.
_TEXT_LIKE_FORMATS = ((b"%PDF-", "pdf"), (b"{\\rtf", "rtf"))


def check_upload(filename: str, size: int, *, max_bytes: int) -> None:
    """What can be checked without reading the file: not empty, not too large, a type we read.

    The web request checks only this; the parse itself runs in the worker (sandbox.py).
    """
    if not size:
        raise IngestError("The file is empty.")
    if size > max_bytes:
        raise IngestError(
            f"The file is too large ({format_size(size)}). The limit is {format_size(max_bytes)}."
        )
    extension = _extension(filename)
    if extension not in SUPPORTED_EXTENSIONS:
        kind = f"“{extension}” files" if extension else "Files without an extension"
        raise IngestError(f"{kind} can't be read. Upload one of these types: {_SUPPORTED}.")
    if extension in (".html", ".htm") and size > MAX_HTML_BYTES:
        raise IngestError(
            f"This web page is too large to read ({format_size(size)}; the limit for web "
            f"pages is {format_size(MAX_HTML_BYTES)}). Save the page as “HTML only”, or paste "
            "its text instead."
        )


def extract_file(data: bytes, filename: str, *, max_bytes: int) -> ExtractedArticle:
    """Plain text and metadata of an uploaded file, or `IngestError` saying what's wrong."""
    check_upload(filename, len(data), max_bytes=max_bytes)
    extension = _extension(filename)
    if extension in (".txt", ".md"):
        return make_article(_decode_upload(data))
    if extension in (".html", ".htm"):
        return extract_html(_decode_upload(data, declared_charset=sniff_charset(data)))
    if extension == ".docx":
        return _extract_docx(data, max_bytes=max_bytes)
    return _extract_pdf(data)


def _extension(filename: str) -> str:
    # Browsers on Windows used to send the whole path, with backslashes.
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def _decode_upload(data: bytes, *, declared_charset: str | None = None) -> str:
    """The text of a file that should be text, refusing other formats renamed to .txt."""
    for magic, extension in _TEXT_LIKE_FORMATS:
        if data.startswith(magic):
            raise IngestError(_wrong_format(extension))
    try:
        return decode_text(data, declared_charset=declared_charset)
    except IngestError:
        # Sniff only once the bytes have failed as text: filetype's two-byte signatures
        # would take an article starting "BMW ..." for a bitmap.
        kind = filetype.guess(data)
        if kind is None:
            raise
        raise IngestError(_wrong_format(kind.extension)) from None


def _wrong_format(extension: str) -> str:
    return (
        f"This file looks like a .{extension} file, not text. "
        f"Upload one of these types: {_SUPPORTED}."
    )


def _misnamed(data: bytes, message: str) -> IngestError:
    """`message`, plus a hint about what a file with the wrong extension really is."""
    try:
        decode_text(data)
    except IngestError:
        kind = filetype.guess(data)
        hint = f" It looks like a .{kind.extension} file." if kind else ""
    else:
        hint = " It looks like a text file."
    return IngestError(message + hint)


def _not_docx(data: bytes) -> IngestError:
    return _misnamed(data, "This file is named .docx but isn't a valid Word document.")


def _extract_docx(data: bytes, *, max_bytes: int) -> ExtractedArticle:
    _check_docx_archive(data, max_bytes=max_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = [_docx_block_text(block) for block in document.iter_inner_content()]
        properties = document.core_properties
        # python-docx's own template says its author is "python-docx": nobody wrote that.
        title, author = real_title(properties.title or ""), real_author(properties.author or "")
        heading = _docx_heading(document)
    # python-docx surfaces damage as whatever its zip and XML layers raise.
    except Exception as err:
        if out_of_memory(err):
            # Not damage: the sandbox (sandbox.py) says the file needs too much memory.
            raise MemoryError from err
        raise _not_docx(data) from err
    text = "\n".join(blocks)
    # The heading a reader sees beats properties that templates and old drafts leave behind.
    title = heading or title or title_from_first_line(text)
    return make_article(text, title=title, author=author)


# Headings are near the top; a long document's styles are not worth reading to the end.
_HEADING_SEARCH_PARAGRAPHS = 50


def _docx_heading(document) -> str:
    """The first paragraph styled Title, else the first styled as a heading (Heading 1 first)."""
    found = {}
    for paragraph in document.paragraphs[:_HEADING_SEARCH_PARAGRAPHS]:
        style = paragraph.style.name if paragraph.style is not None else ""
        for kind in ("Title", "Heading 1", "Heading"):
            if (
                style.startswith(kind)
                and kind not in found
                and (title := real_title(paragraph.text))
            ):
                found[kind] = title
    return found.get("Title") or found.get("Heading 1") or found.get("Heading") or ""


def out_of_memory(err: BaseException) -> bool:
    """Whether `err` means memory ran out; libxml2 says so as a syntax error with its own code."""
    return isinstance(err, MemoryError) or (
        isinstance(err, lxml.etree.Error)
        and getattr(err, "code", None) == lxml.etree.ErrorTypes.ERR_NO_MEMORY
    )


def _check_docx_archive(data: bytes, *, max_bytes: int) -> None:
    """Refuse zip bombs and non-Word zips using only the zip's directory, nothing inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise _not_docx(data) from None
    names = {member.filename for member in members}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise _not_docx(data)

    too_big = IngestError(
        "This Word document expands to far more data than its size suggests, so it wasn't "
        "opened. Save it again from your word processor, or paste the text instead."
    )
    limit = min(MAX_DOCX_UNCOMPRESSED_BYTES, DOCX_UNCOMPRESSED_PER_UPLOAD_BYTE * max_bytes)
    if len(members) > MAX_DOCX_MEMBERS or sum(m.file_size for m in members) > limit:
        raise too_big
    # python-docx parses every XML part into a tree of about 16 bytes per byte of XML; media
    # (images) are only carried along. A long real article is well under this.
    if sum(m.file_size for m in members if _is_xml_part(m.filename)) > MAX_DOCX_XML_BYTES:
        raise IngestError(
            "This Word document holds more text and formatting than we can read "
            f"(over {format_size(MAX_DOCX_XML_BYTES)} of document data). Split it into "
            "smaller documents, or paste the text instead."
        )
    for member in members:
        # zipfile stops inflating at the declared size, so declared sizes are the real bound.
        if (
            member.file_size > _RATIO_CHECK_FROM_BYTES
            and member.file_size > MAX_DOCX_COMPRESSION_RATIO * member.compress_size
        ):
            raise too_big


def _is_xml_part(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


def _docx_block_text(block: Paragraph | Table) -> str:
    if isinstance(block, Table):
        # Merged cells appear once per grid column they span; dict.fromkeys drops the repeats.
        rows = (dict.fromkeys(cell.text for cell in row.cells) for row in block.rows)
        return "\n".join("\t".join(row) for row in rows)
    return block.text


def _extract_pdf(data: bytes) -> ExtractedArticle:
    # The PDF spec lets the header start anywhere in the first 1024 bytes.
    if b"%PDF-" not in data[:1024]:
        raise _misnamed(data, "This file is named .pdf but isn't a PDF document.")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _unlock(reader)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise IngestError(
                f"This PDF has more than {MAX_PDF_PAGES:,} pages. Upload the part you need."
            )
        pages, length = [], 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            length += len(pages[-1])
            if length > MAX_TEXT_CHARS:
                raise IngestError(TEXT_TOO_LONG)
        metadata = reader.metadata
        # Word's PDF export writes "Microsoft Word - draft.docx" as the title: not a headline.
        title = real_title(str((metadata.title if metadata else "") or ""))
        author = real_author(str((metadata.author if metadata else "") or ""))
    except (IngestError, MemoryError):
        raise
    except FileNotDecryptedError as err:
        raise IngestError(_LOCKED_PDF) from err
    # pypdf reports damaged files through a wide range of exception types.
    except Exception as err:
        raise IngestError(
            "This PDF is damaged and couldn't be read. Try saving or exporting it again."
        ) from err

    text = "\n\n".join(_reflow(_join_hyphenated(page)) for page in pages)
    if not normalise_text(text):
        raise IngestError(
            "This PDF has no text layer (is it a scanned document?). "
            "Run it through OCR first, or paste the text instead."
        )
    return make_article(text, title=title or title_from_first_line(text), author=author)


def _unlock(reader: pypdf.PdfReader) -> None:
    """Open PDFs encrypted only to restrict printing or copying (their user password is empty)."""
    try:
        unlocked = reader.decrypt("") != pypdf.PasswordType.NOT_DECRYPTED
    # AES needs a crypto library we don't install; to the user it is just a locked file.
    except (DependencyError, NotImplementedError):
        unlocked = False
    if not unlocked:
        raise IngestError(_LOCKED_PDF)


# A PDF line that ends like this finishes its sentence (or is a heading or a list item).
_LINE_END = re.compile(r"""[.!?:;"'\u201d\u2019)\]]\s*$""")


def _reflow(page: str) -> str:
    """Join a PDF page's hard-wrapped lines back into paragraphs.

    Sentence splitting treats every line as its own paragraph (so bylines and headlines stay
    apart), which would cut wrapped sentences in two. A line is joined to the next one when it
    is long (at least 60% of the page's longest line: body text, not a heading) and does not
    end a sentence, or when the next line carries on in lowercase.
    """
    lines = page.split("\n")
    widest = max((len(line.strip()) for line in lines), default=0)
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if out and stripped and out[-1].strip():
            previous = out[-1].rstrip()
            body_line = len(previous) >= 0.6 * widest and not _LINE_END.search(previous)
            carries_on = stripped[0].islower() and not _LINE_END.search(previous)
            if body_line or carries_on:
                # A hyphen left at the line end belongs to a compound: "Anglo-" + "Saxon".
                joiner = "" if previous.endswith("-") else " "
                out[-1] = f"{previous}{joiner}{stripped}"
                continue
        out.append(line)
    return "\n".join(out)


def _join_hyphenated(text: str) -> str:
    """Undo line-end hyphenation when the word carries on in lowercase on the next line.

    Simple on purpose: "contro-/versial" is joined, "fact-/Checkers" is left alone, and a
    genuine compound split at a line end ("fact-/checking") loses its hyphen.
    """
    return _LINE_END_HYPHEN.sub(lambda m: "" if m.group(1).islower() else m.group(0), text)
