"""Uploads are parsed in a child process with hard limits: whatever a file does to the parser,
the worker carries on and the fact-checker reads why the file was refused."""

import datetime
import io
import json
import random
import signal
import subprocess
import sys
import zipfile

import docx
import pytest
from celery.exceptions import SoftTimeLimitExceeded

from claims import tasks
from claims.ingest import IngestError, extract_file, sandbox
from claims.ingest.sandbox import ParseLimits, extract_file_sandboxed
from claims.models import Article, ArticleUpload
from tests.factories import ArticleFactory

MB = 1024 * 1024
LIMITS = ParseLimits(max_bytes=10 * MB, memory_bytes=768 * MB, seconds=60)
WORDS = "budget council minister percent rose fell million report police data year".split()


def formatted_docx(xml_bytes: int) -> bytes:
    """A valid .docx whose text sits in heavily formatted runs: `xml_bytes` of XML, compressed
    about 40 to 1, like the 2.5 MB file that expands to 100 MB."""
    rng = random.Random(1)
    run = (
        '<w:r><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/><w:b/><w:color w:val="{}"/>'
        '<w:sz w:val="24"/></w:rPr><w:t xml:space="preserve">{} </w:t></w:r>'
    )
    colours = [f"{rng.randrange(16**6):06X}" for _ in range(64)]
    paragraphs, size = [], 0
    while size < xml_bytes:
        words = [rng.choice(WORDS) for _ in range(12)]
        paragraph = "<w:p>" + "".join(run.format(rng.choice(colours), w) for w in words) + "</w:p>"
        paragraphs.append(paragraph)
        size += len(paragraph)
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
        '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + "".join(paragraphs)
        + "</w:body></w:document>"
    ).encode()
    template = io.BytesIO()
    docx.Document().save(template)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            target.writestr(name, xml if name == "word/document.xml" else source.read(name))
    return out.getvalue()


def long_page(size: int) -> bytes:
    rng = random.Random(2)
    rows = []
    while sum(map(len, rows)) < size:
        words = " ".join(f'<a class="g" href="/g/{w}">{w}</a>' for w in rng.choices(WORDS, k=12))
        rows.append(f'<div class="wrap"><p class="text">{words}.</p></div>\n')
    return f"<html><body><article>{''.join(rows)}</article></body></html>".encode()


def refused(data: bytes, filename: str, limits: ParseLimits = LIMITS) -> str:
    with pytest.raises(IngestError) as caught:
        extract_file_sandboxed(data, filename, limits=limits)
    return str(caught.value)


def test_reads_files_exactly_as_the_parser_does():
    document = io.BytesIO()
    word = docx.Document()
    word.add_paragraph("Crime fell 12 percent.")
    word.core_properties.title, word.core_properties.author = "Crime", "J. Doe"
    word.save(document)
    page = (
        b'<html><head><title>Budget</title><meta property="article:published_time" '
        b'content="2024-03-05"></head><body><article><p>The budget rose 4 percent, the '
        b"minister said on Tuesday in the capital.</p></article></body></html>"
    )
    for data, filename in [(document.getvalue(), "a.docx"), (page, "a.html")]:
        expected = extract_file(data, filename, max_bytes=LIMITS.max_bytes)
        assert extract_file_sandboxed(data, filename, limits=LIMITS) == expected
    assert extract_file_sandboxed(page, "a.html", limits=LIMITS).published == datetime.date(
        2024, 3, 5
    )


def test_the_parsers_own_refusals_come_back_word_for_word():
    with pytest.raises(IngestError) as direct:
        extract_file(b"plain words", "fake.docx", max_bytes=LIMITS.max_bytes)
    assert refused(b"plain words", "fake.docx") == str(direct.value)


def test_a_docx_expanding_to_100_mb_is_refused_before_it_is_opened():
    bomb = formatted_docx(26 * MB)
    assert len(bomb) < 2 * MB
    assert "holds more text and formatting than we can read" in refused(bomb, "bomb.docx")


def test_a_file_that_needs_too_much_memory_fails_and_memory_stays_bounded():
    """python-docx needs about 16 bytes per byte of XML; 20 MB of it cannot fit in 200 MB."""
    heavy = formatted_docx(20 * MB)
    limits = ParseLimits(max_bytes=10 * MB, memory_bytes=200 * MB, seconds=60)
    # In a process of its own, so the peak memory of its children is this parse's alone.
    code = (
        "import json, resource, sys\n"
        "from claims.ingest.sandbox import ParseLimits, extract_file_sandboxed\n"
        "from claims.ingest import IngestError\n"
        f"limits = ParseLimits(**{limits.__dict__!r})\n"
        "try:\n"
        "    extract_file_sandboxed(sys.stdin.buffer.read(), 'heavy.docx', limits=limits)\n"
        "    message = None\n"
        "except IngestError as exc:\n"
        "    message = str(exc)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
        "print(json.dumps({'message': message, 'peak': peak}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=heavy, capture_output=True, check=True, timeout=120
    )
    answer = json.loads(result.stdout)
    assert answer["message"].startswith("Reading this file needed more than 200 MB of memory")
    assert answer["peak"] <= 200 * MB


def test_a_parse_that_runs_away_is_stopped_at_the_deadline():
    limits = ParseLimits(max_bytes=10 * MB, memory_bytes=768 * MB, seconds=1)
    message = refused(long_page(2 * MB), "page.html", limits)
    assert message.startswith("Reading this file took longer than 1 second, so it was stopped.")


def test_the_cpu_limit_holds_even_without_the_parents_deadline():
    request = json.dumps({"filename": "page.html", "max_bytes": 10 * MB}).encode()
    child = subprocess.run(
        [sys.executable, "-m", "claims.ingest.parse_worker", str(768 * MB), "1"],
        input=request + b"\n" + long_page(2 * MB),
        capture_output=True,
        timeout=120,
        cwd=sandbox._ROOT,
    )
    assert child.returncode == -signal.SIGXCPU


def test_the_child_gets_none_of_our_secrets(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgres://user:pw@db/x")
    environments = []
    real_popen = subprocess.Popen

    def spy(*args, **kwargs):
        environments.append(kwargs["env"])
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(sandbox.subprocess, "Popen", spy)
    assert extract_file_sandboxed(b"Rates rose.", "a.txt", limits=LIMITS).text == "Rates rose."
    assert set(environments[0]) == {"PATH", "LC_ALL"}


def test_a_reader_that_crashes_is_a_readable_failure(monkeypatch):
    real_popen = subprocess.Popen

    def crashing(command, **kwargs):
        return real_popen(
            ["/bin/sh", "-c", "cat >/dev/null; echo Segmentation >&2; kill -SEGV $$"], **kwargs
        )

    monkeypatch.setattr(sandbox.subprocess, "Popen", crashing)
    assert refused(b"Rates rose.", "a.txt").startswith(
        "This file couldn't be read: the reader stopped unexpectedly."
    )


def test_a_stopped_task_takes_its_child_with_it(monkeypatch):
    started = []
    real_popen = subprocess.Popen

    class StoppedMidParse(real_popen):
        def communicate(self, *args, **kwargs):
            if not started:
                started.append(self)
                raise SoftTimeLimitExceeded()
            return super().communicate(*args, **kwargs)

    monkeypatch.setattr(sandbox.subprocess, "Popen", StoppedMidParse)
    with pytest.raises(SoftTimeLimitExceeded):
        extract_file_sandboxed(long_page(2 * MB), "page.html", limits=LIMITS)
    assert started[0].poll() is not None  # killed, not left running


@pytest.mark.django_db
def test_the_extraction_task_fails_the_article_and_carries_on(workspace):
    bomb = ArticleFactory(workspace=workspace, origin="upload", body="", extraction_status="queued")
    ArticleUpload.objects.create(article=bomb, data=formatted_docx(26 * MB), filename="b.docx")
    fine = ArticleFactory(workspace=workspace, origin="upload", body="", extraction_status="queued")
    ArticleUpload.objects.create(article=fine, data=b"Crime fell 12 percent.", filename="f.txt")
    for article in (bomb, fine):
        tasks.extract_article.apply(args=[article.pk])
    bomb.refresh_from_db()
    fine.refresh_from_db()
    assert bomb.extraction_status == Article.Status.FAILED
    assert "holds more text and formatting" in bomb.extraction_error
    assert (fine.extraction_status, fine.body) == (Article.Status.DONE, "Crime fell 12 percent.")


@pytest.mark.django_db
def test_an_upload_whose_file_is_gone_fails_with_a_reason(workspace):
    article = ArticleFactory(
        workspace=workspace, origin="upload", body="", extraction_status="queued"
    )
    tasks.extract_article.apply(args=[article.pk])
    article.refresh_from_db()
    assert article.extraction_status == Article.Status.FAILED
    assert article.extraction_error == "The uploaded file is no longer here. Upload it again."
