"""extract_file on every supported type, and on every kind of bad upload we refuse."""

import io
import random
import zipfile

import docx
import pypdf
import pytest
import trafilatura

from claims.ingest import IngestError, extract_file, files
from claims.ingest.text import MAX_TEXT_CHARS

MB = 1024 * 1024
LIMIT = 5 * MB


def make_pdf(*pages: list[str]) -> bytes:
    """A minimal PDF with one Helvetica text line per string, written out by hand."""
    page_ids = [4 + 2 * index for index in range(len(pages))]
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % page_id for page_id in page_ids), len(pages)),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for page_id, lines in zip(page_ids, pages, strict=True):
        shown = b" T* ".join(
            b"(%s) Tj" % line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode()
            for line in lines
        )
        content = b"BT /F1 12 Tf 16 TL 72 720 Td " + shown + b" ET"
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1)
        )
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, objects[number]))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for number in sorted(objects):
        out.write(b"%010d 00000 n \n" % offsets[number])
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def encrypt_pdf(data: bytes, *, user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    # RC4 needs no crypto library, so the test runs wherever pypdf does.
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(*paragraphs: str, title: str = "", author: str = "", table=None) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    document.core_properties.title = title
    document.core_properties.author = author
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def refused(data: bytes, filename: str, *, max_bytes: int = LIMIT) -> str:
    with pytest.raises(IngestError) as caught:
        extract_file(data, filename, max_bytes=max_bytes)
    return str(caught.value)


# --- Plain text -------------------------------------------------------------------------------


def test_utf8_text():
    article = extract_file("Le ministre a dit « 3 % ».\n".encode(), "claim.txt", max_bytes=LIMIT)

    assert article.text == "Le ministre a dit « 3 % »."
    assert (article.title, article.author, article.outlet, article.url) == ("", "", "", "")
    assert article.published is None


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfCaf\xc3\xa9 prices rose.",
        "Café prices rose.".encode("utf-16"),  # with the platform's BOM
        b"\xff\xfe" + "Café prices rose.".encode("utf-16-le"),
        b"\xfe\xff" + "Café prices rose.".encode("utf-16-be"),
        "Café prices rose.".encode("cp1252"),
    ],
    ids=["utf-8-bom", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "cp1252"],
)
def test_text_encodings(data):
    assert extract_file(data, "claim.txt", max_bytes=LIMIT).text == "Café prices rose."


def test_markdown_is_kept_as_written():
    data = b"# Budget claims\r\n\r\n\r\n\r\n* Spending rose **40%**   \r\n"

    article = extract_file(data, "notes.MD", max_bytes=LIMIT)

    assert article.text == "# Budget claims\n\n* Spending rose **40%**"


def test_text_that_a_magic_number_sniffer_would_misread_is_accepted():
    # filetype reads "BM" as a bitmap and "MZ" as a Windows program.
    for text in ("BMW recalled 100,000 cars.", "MZ Motors said sales doubled."):
        assert extract_file(text.encode(), "claim.txt", max_bytes=LIMIT).text == text


def test_windows_path_in_filename():
    article = extract_file(b"Quote.", "C:\\Users\\desk\\claim.txt", max_bytes=LIMIT)

    assert article.text == "Quote."


# --- HTML -------------------------------------------------------------------------------------


ARTICLE = b"""<html><head><title>Minister's jobs claim | Example Times</title>
<meta name="author" content="Sam Reporter">
<meta property="og:site_name" content="Example Times">
<meta property="article:published_time" content="2023-11-02">
<style>body { font-family: serif; }</style>
<script>window.secret = "SCRIPT-CONTENT";</script></head>
<body><article><h1>Minister's jobs claim</h1>
<p>The minister said that two million jobs had been created since the last election,
a number the statistics office puts closer to 1.2 million.</p>
<p>Economists said the difference comes from counting part-time positions twice, which
the official figures do not do.</p>
<script>alert("ALSO-SCRIPT")</script>
</article></body></html>"""


@pytest.mark.parametrize("filename", ["article.html", "article.htm", "ARTICLE.HTML"])
def test_html_article(filename):
    article = extract_file(ARTICLE, filename, max_bytes=LIMIT)

    assert "two million jobs" in article.text
    assert "counting part-time positions twice" in article.text
    assert article.title == "Minister's jobs claim"
    assert article.author == "Sam Reporter"
    assert article.outlet == "Example Times"
    assert str(article.published) == "2023-11-02"


def test_html_text_is_plain_and_has_no_script_or_style():
    text = extract_file(ARTICLE, "article.html", max_bytes=LIMIT).text

    for leftover in ("SCRIPT-CONTENT", "ALSO-SCRIPT", "font-family", "<p>", "<", "&amp;"):
        assert leftover not in text


def test_html_fragment_falls_back_to_the_visible_text():
    data = b"<p>Short: the mayor &amp; council disagree.</p><script>x()</script><p>Second.</p>"

    article = extract_file(data, "note.html", max_bytes=LIMIT)

    assert article.text == "Short: the mayor & council disagree.\nSecond."


def test_html_where_trafilatura_finds_nothing_falls_back_to_the_visible_text(monkeypatch):
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *args, **kwargs: None)
    data = (
        b"<html><head><title>Fallback page</title><style>p {}</style></head><body>"
        b"<div>First block</div><div>Second <b>bold</b> block</div>"
        b"<script>hidden()</script><noscript>Enable JS</noscript><ul><li>One</li><li>Two</li></ul>"
        b"</body></html>"
    )

    article = extract_file(data, "page.html", max_bytes=LIMIT)

    assert article.text == "First block\nSecond bold block\nOne\nTwo"
    assert article.title == "Fallback page"


def test_html_charset_from_meta_tag():
    data = '<html><head><meta charset="windows-1252"></head><body><p>Déjà vu</p></body></html>'

    assert extract_file(data.encode("cp1252"), "a.html", max_bytes=LIMIT).text == "Déjà vu"


def test_xhtml_with_xml_declaration():
    data = (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>XHTML claim text.</p></body></html>'
    )

    assert extract_file(data, "a.html", max_bytes=LIMIT).text == "XHTML claim text."


def test_html_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<html><body><p>Before &xxe; after.</p></body></html>"
    ).encode()

    text = extract_file(data, "a.html", max_bytes=LIMIT).text

    assert "TOP-SECRET" not in text
    assert "Before" in text


def test_html_without_text():
    assert "No readable text" in refused(
        b"<html><body><script>x()</script></body></html>", "a.html"
    )


# --- Word -------------------------------------------------------------------------------------


def test_docx_paragraphs_tables_and_properties():
    data = make_docx(
        "Claim: taxes doubled.",
        "Source: budget speech.",
        title="Budget speech",
        author="Desk Editor",
        table=[["Year", "Rate"], ["2023", "20%"]],
    )

    article = extract_file(data, "speech.docx", max_bytes=LIMIT)

    assert article.text == "Claim: taxes doubled.\nSource: budget speech.\nYear\tRate\n2023\t20%"
    assert article.title == "Budget speech"
    assert article.author == "Desk Editor"


def test_empty_docx():
    assert "No readable text" in refused(make_docx(), "empty.docx")


@pytest.mark.parametrize(
    "data",
    [
        b"Just some text, not a zip.",
        make_zip({"readme.txt": b"hello"}),
        make_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<not-xml"}),
        make_pdf(["a PDF"]),
    ],
    ids=["text", "zip-without-document", "broken-xml", "pdf"],
)
def test_not_a_docx(data):
    assert "isn't a valid Word document" in refused(data, "report.docx")


def test_not_a_docx_says_what_it_looks_like():
    assert "looks like a .png file" in refused(b"\x89PNG\r\n\x1a\n" + bytes(100), "report.docx")


def docx_bomb(members: dict[str, bytes]) -> bytes:
    return make_zip(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", **members}
    )


@pytest.fixture
def docx_must_not_be_parsed(monkeypatch):
    monkeypatch.setattr(docx, "Document", lambda *args: pytest.fail("python-docx was called"))


# Each member is under the 1 MB floor of the ratio check; together they inflate to 2 MB.
MANY_SMALL_MEMBERS = {f"word/media/part{n}.xml": b"\0" * 100_000 for n in range(20)}


@pytest.mark.usefixtures("docx_must_not_be_parsed")
def test_docx_expanding_past_ten_times_the_upload_limit_is_refused():
    bomb = docx_bomb(MANY_SMALL_MEMBERS)

    assert "expands to far more data" in refused(bomb, "bomb.docx", max_bytes=100_000)


@pytest.mark.usefixtures("docx_must_not_be_parsed")
def test_docx_expanding_past_the_absolute_cap_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_DOCX_UNCOMPRESSED_BYTES", 1 * MB)
    bomb = docx_bomb(MANY_SMALL_MEMBERS)

    assert "expands to far more data" in refused(bomb, "bomb.docx", max_bytes=LIMIT)


@pytest.mark.usefixtures("docx_must_not_be_parsed")
def test_docx_with_an_extremely_compressed_member_is_refused():
    bomb = docx_bomb({"word/media/image1.png": b"\0" * (3 * MB)})  # about 1000:1

    assert "expands to far more data" in refused(bomb, "bomb.docx", max_bytes=LIMIT)


@pytest.mark.usefixtures("docx_must_not_be_parsed")
def test_docx_with_more_xml_than_we_parse_is_refused(monkeypatch):
    # Within the size, ratio and member limits: only the XML to parse is too much.
    monkeypatch.setattr(files, "MAX_DOCX_XML_BYTES", 1 * MB)
    bomb = docx_bomb(MANY_SMALL_MEMBERS)

    assert "holds more text and formatting than we can read" in refused(bomb, "bomb.docx")


def test_pictures_do_not_count_as_xml_to_parse(monkeypatch):
    monkeypatch.setattr(files, "MAX_DOCX_XML_BYTES", 1 * MB)
    pictures = {f"word/media/image{n}.png": random.randbytes(100_000) for n in range(20)}
    with zipfile.ZipFile(io.BytesIO(make_docx("Fine."))) as document:
        members = {name: document.read(name) for name in document.namelist()}
    data = make_zip({**members, **pictures})

    assert extract_file(data, "photos.docx", max_bytes=LIMIT).text == "Fine."


def test_running_out_of_memory_in_lxml_is_not_called_damage(monkeypatch):
    import lxml.etree

    def exhausted(*args):
        # What lxml raises when libxml2 cannot allocate (seen under RLIMIT_AS).
        raise lxml.etree.XMLSyntaxError("unknown error", lxml.etree.ErrorTypes.ERR_NO_MEMORY, 0, 0)

    data = make_docx("Fine.")
    monkeypatch.setattr(docx, "Document", exhausted)
    with pytest.raises(MemoryError):
        extract_file(data, "big.docx", max_bytes=LIMIT)


# --- What the web request checks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "size", "message"),
    [
        ("a.txt", 0, "The file is empty."),
        ("a.txt", 3 * LIMIT + 1, "The file is too large (15 MB). The limit is 15 MB."),
        ("a.odt", 10, "“.odt” files can't be read."),
        ("page.HTML", files.MAX_HTML_BYTES + 1, "This web page is too large to read"),
    ],
)
def test_check_upload_refuses_from_name_and_size_alone(filename, size, message):
    with pytest.raises(IngestError) as caught:
        files.check_upload(filename, size, max_bytes=3 * LIMIT)
    assert str(caught.value).startswith(message)


def test_check_upload_accepts_every_supported_type():
    for extension in files.SUPPORTED_EXTENSIONS:
        files.check_upload(f"story{extension.upper()}", 1000, max_bytes=LIMIT)


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_pages_are_separated_by_a_blank_line():
    data = make_pdf(["Claim one is false.", "It was repeated (twice)."], ["Page two text."])

    article = extract_file(data, "report.pdf", max_bytes=LIMIT)

    assert article.text == "Claim one is false.\nIt was repeated (twice).\n\nPage two text."


def test_pdf_line_end_hyphenation_is_joined():
    data = make_pdf(["The claim was contro-", "versial and the Anglo-", "Saxon root stays."])

    text = extract_file(data, "report.pdf", max_bytes=LIMIT).text

    assert text == "The claim was controversial and the Anglo-Saxon root stays."


def test_pdf_hard_wrapped_lines_are_joined_into_paragraphs():
    lines = [
        "CITY BUDGET",
        "By Jane Doe",
        "The council approved a budget of $4.2 billion on Tuesday, the largest in the",
        "town hall history, after a debate that lasted until midnight on the last day.",
        "Officials said crime fell by 12 percent last year.",
    ]
    text = extract_file(make_pdf(lines), "report.pdf", max_bytes=LIMIT).text

    assert text.split("\n") == [
        "CITY BUDGET",
        "By Jane Doe",
        "The council approved a budget of $4.2 billion on Tuesday, the largest in the "
        "town hall history, after a debate that lasted until midnight on the last day.",
        "Officials said crime fell by 12 percent last year.",
    ]


def test_pdf_with_only_an_owner_password_is_read():
    data = encrypt_pdf(make_pdf(["Printing restricted, reading allowed."]), user_password="")

    assert extract_file(data, "locked.pdf", max_bytes=LIMIT).text == (
        "Printing restricted, reading allowed."
    )


def test_password_protected_pdf():
    data = encrypt_pdf(make_pdf(["Secret."]), user_password="secret")

    assert "password-protected" in refused(data, "locked.pdf")


def test_pdf_without_a_text_layer():
    assert "no text layer" in refused(make_pdf([]), "scan.pdf")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\nthis is not really a pdf at all",
        make_pdf(["Truncated."])[:60],
    ],
    ids=["garbage", "truncated"],
)
def test_broken_pdf(data):
    assert "damaged" in refused(data, "broken.pdf")


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        (b"Plain words in a .pdf file.", "looks like a text file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "looks like a .png file"),
        (b"GIF89a" + bytes(100), "looks like a .gif file"),
    ],
)
def test_not_a_pdf(data, hint):
    message = refused(data, "report.pdf")

    assert "isn't a PDF document" in message
    assert hint in message


# --- Refused uploads --------------------------------------------------------------------------


def test_empty_file():
    assert refused(b"", "claim.txt") == "The file is empty."


def test_too_large_file_names_the_limit():
    message = refused(b"x" * (LIMIT + 1), "claim.txt")

    assert message == "The file is too large (5 MB). The limit is 5 MB."


def test_too_large_message_in_kilobytes():
    assert refused(b"x" * 3000, "claim.txt", max_bytes=2048) == (
        "The file is too large (3 KB). The limit is 2 KB."
    )


@pytest.mark.parametrize("filename", ["claim.exe", "claim.doc", "claim.rtf", "claim", "claim."])
def test_unsupported_type_lists_the_supported_ones(filename):
    message = refused(b"some text", filename)

    assert "can't be read" in message
    assert ".txt, .md, .html, .htm, .docx, .pdf" in message


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), ".png"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(64), ".exe"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(64), ".elf"),
        (make_zip({"a.txt": b"hello"}), ".zip"),
        (make_docx("A Word file."), ".docx"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes(64), ".gz"),
        (make_pdf(["Only ASCII inside."]), ".pdf"),
        (b"{\\rtf1\\ansi Hello}", ".rtf"),
    ],
    ids=["png", "exe", "elf", "zip", "docx", "gzip", "pdf", "rtf"],
)
@pytest.mark.parametrize("filename", ["claim.txt", "claim.md", "claim.html"])
def test_other_format_renamed_as_text(data, kind, filename):
    assert f"looks like a {kind} file, not text" in refused(data, filename)


@pytest.mark.parametrize(
    "data",
    [
        random.Random(1).randbytes(4096),
        bytes(range(256)) * 4,
        b"hello\x00world",
        "Text in UTF-16 without a byte-order mark".encode("utf-16-le"),
        b"ok text" + b"\x01\x02\x03\x04\x05" * 10,
    ],
    ids=["random", "all-bytes", "nul", "utf-16-no-bom", "controls"],
)
def test_binary_data_is_refused(data):
    assert "looks like binary data" in refused(data, "claim.txt")


@pytest.mark.parametrize(
    "data",
    [
        b"caf\x81 \x8d\x8f\x90",  # bytes cp1252 leaves undefined
        bytes(range(0xA0, 0x100)) * 3,  # decodes as cp1252, but nothing like prose
    ],
    ids=["undefined-in-cp1252", "mojibake"],
)
def test_undecodable_text_is_refused(data):
    assert "encoding wasn't recognised" in refused(data, "claim.txt")


@pytest.mark.parametrize("data", [b"   \n\n\t  ", b"\r\n\r\n", b"\xef\xbb\xbf"])
def test_whitespace_only(data):
    assert refused(data, "claim.txt") == "No readable text was found."


def test_extracted_text_over_the_cap():
    data = b"word " * (MAX_TEXT_CHARS // 5 + 10)

    assert "too long to check" in refused(data, "claim.txt", max_bytes=10 * MB)
