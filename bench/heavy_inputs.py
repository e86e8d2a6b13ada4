"""Heavy inputs against a web worker: request time and peak memory, next to a trivial page.

    .venv/bin/python bench/heavy_inputs.py
    .venv/bin/python bench/heavy_inputs.py --skip-worker     # only the web requests

Builds the inputs of issue 9: a 2.5 MB .docx that expands to ~100 MB of XML, a 9 MB HTML
page, and a 1,000,000-character article (stored with its sentences and ~4,000 claims, 30 of
them with verdicts and sources, as extraction and a desk leave them). Serves the app with
gunicorn (one sync worker, DEBUG=1) on a scratch SQLite database, with Redis db 14 as the
broker and no Celery worker, so each request shows its own cost and nothing else. Each
request is timed at the client; memory is the gunicorn worker's peak resident size during
the request (VmHWM, reset through /proc/PID/clear_refs before each one). Figures are printed
as ratios to a trivial signed-in page (the workspace list) measured in the same run.

Then the worker's side, each in a fresh process: the sandboxed parse of each upload (time,
peak memory of the parser's child process, outcome) and building the PDF report of the long
article. Takes about 2 minutes on two busy cores. Prints its figures; asserts nothing.
"""

import argparse
import contextlib
import http.client
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on the path, and its other benchmarks (queue.py...)
# would shadow standard modules: the project root takes its place.
sys.path[0] = str(ROOT)
PORT = 8765
SCRATCH = Path(tempfile.gettempdir()) / "factcheck_bench_heavy"
CSRF = "benchheavycsrftoken0123456789abc"  # 32 characters: an unmasked CSRF secret
MB = 1024 * 1024

WORDS = (
    "budget council minister percent rose fell million report police data year city "
    "government health school tax rate growth inflation survey election voters spending"
).split()


# --- The inputs -------------------------------------------------------------------------------


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    words.insert(rng.randrange(len(words)), str(rng.randint(1, 999)))
    return " ".join(words).capitalize() + "."


def bomb_docx(xml_bytes: int = 99_000_000) -> bytes:
    """A valid .docx: text in heavily formatted runs, ~40:1 compression, under every zip
    limit the parser checked before this change (100 MB total, 100:1 per member)."""
    rng = random.Random(1)
    colours = [f"{rng.randrange(16**6):06X}" for _ in range(64)]
    run = (
        '<w:r><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:b/><w:i/>'
        '<w:color w:val="{}"/><w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-GB"/>'
        '</w:rPr><w:t xml:space="preserve">{} </w:t></w:r>'
    )
    parts, size = [], 0
    while size < xml_bytes:
        words = sentence(rng).split()
        paragraph = "<w:p>" + "".join(run.format(rng.choice(colours), w) for w in words) + "</w:p>"
        parts.append(paragraph)
        size += len(paragraph)
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
        '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + "".join(parts)
        + "</w:body></w:document>"
    ).encode()
    import docx

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


def big_html(size: int = 9_000_000) -> bytes:
    """A long page of linked words, the kind trafilatura spends seconds per megabyte on."""
    rng = random.Random(2)
    parts = ["<!DOCTYPE html><html><head><title>Long page</title></head><body><article>"]
    total = 0
    while total < size:
        words = sentence(rng).split()
        row = (
            f'<div class="para-wrap c{rng.randint(0, 99)}"><p class="body-text">'
            + " ".join(f'<a class="glossary-link" href="/glossary/{w}">{w}</a>' for w in words)
            + "</p></div>\n"
        )
        parts.append(row)
        total += len(row)
    parts.append("</article></body></html>")
    return "".join(parts).encode()


def long_text(chars: int = 1_000_000) -> str:
    rng = random.Random(3)
    paragraphs, total = [], 0
    while total < chars:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:chars].rsplit(" ", 1)[0]


# --- The scratch instance ---------------------------------------------------------------------


def environment() -> dict:
    return {
        **os.environ,
        "DEBUG": "1",
        "SQLITE_PATH": str(SCRATCH.with_suffix(".sqlite3")),
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        # No worker listens here: uploaded files wait in Redis, unparsed, as they should.
        "CELERY_QUEUE": "bench-heavy",
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
    }


def seed(text: str) -> dict:
    """A workspace, a member with a session, and the long article as extraction leaves it."""
    import django

    os.environ.update(environment())
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from claims import services
    from claims.extraction import Candidate, split_sentences
    from claims.models import Article, Claim, Membership, Rating, Source, User, Verdict, Workspace

    SCRATCH.with_suffix(".sqlite3").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.create(name="Bench desk", slug="bench")
    Rating.objects.bulk_create(
        Rating(workspace=workspace, label=label, value=value, position=i)
        for i, (label, value) in enumerate(Rating.DEFAULT_SCALE)
    )
    user = User.objects.create_user("bench", password="bench-heavy-password-1")
    editor = User.objects.create_user("editor", password="bench-heavy-password-2")
    for who, role in ((user, "editor"), (editor, "editor")):
        Membership.objects.create(user=who, workspace=workspace, role=role)
    article = Article.objects.create(
        workspace=workspace, title="A million characters", body=text, origin="pasted"
    )
    sentences = split_sentences(text)
    rng = random.Random(4)
    scores = [rng.random() for _ in sentences]
    services.store_sentences(
        article,
        [
            Candidate(text="", start=s.start, end=s.end, score=score, checkworthy=False)
            for s, score in zip(sentences, scores, strict=True)
        ],
    )
    # About a third of the sentences become claims, as the extractor selects them.
    claims = Claim.objects.bulk_create(
        Claim(
            workspace=workspace,
            article=article,
            text=s.text,
            start=s.start,
            end=s.end,
            score=round(score, 4),
        )
        for s, score in zip(sentences[::3], scores[::3], strict=True)
    )
    rating = workspace.ratings.first()
    for claim in claims[::130][:30]:
        Verdict.objects.create(
            claim=claim,
            rating=rating,
            summary="Close to the official figure.",
            explanation="The ministry reported a different number. " * 5,
            author=user,
        )
        Source.objects.create(claim=claim, url="https://stats.example.org/table", title="Table")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "session": session.session_key,
        "article": article.pk,
        "sentences": len(sentences),
        "claims": len(claims),
        "claim": claims[len(claims) // 2].pk,
        "chars": len(text),
    }


def start_server() -> tuple[subprocess.Popen, int]:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "factcheck.wsgi",
            "--workers=1",
            f"--bind=127.0.0.1:{PORT}",
            "--timeout=600",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=environment(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        if children:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                return server, int(children[0])
            except OSError:
                pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


# --- Measuring one request --------------------------------------------------------------------


def peak_rss_reset(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def request(method, path, *, session=None, body=b"", content_type="", headers=None):
    """One request on a fresh connection; returns (status, response bytes, seconds)."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    sent = {}
    if session:
        sent["Cookie"] = f"sessionid={session}; csrftoken={CSRF}"
        sent["X-CSRFToken"] = CSRF
    if content_type:
        sent["Content-Type"] = content_type
    sent.update(headers or {})
    started = time.perf_counter()
    connection.putrequest(method, path)
    length = headers.get("Content-Length") if headers else None
    if length is None and method == "POST":
        sent["Content-Length"] = str(len(body))
    for name, value in sent.items():
        connection.putheader(name, value)
    connection.endheaders()
    # The server may answer without reading the body, and hang up.
    with contextlib.suppress(OSError):
        connection.send(body)
    response = connection.getresponse()
    content = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, content, elapsed


def multipart(fields: dict, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "benchheavyboundary7MA4YWxkTrZu0gW"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(f"{value}\r\n".encode())
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
    )
    out.write(data + f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def measure(worker_pid, label, method, path, repeat=1, **kwargs):
    times, peaks, statuses, sizes = [], [], [], []
    for _ in range(repeat):
        peak_rss_reset(worker_pid)
        status, content, elapsed = request(method, path, **kwargs)
        times.append(elapsed)
        peaks.append(peak_rss(worker_pid))
        statuses.append(status)
        sizes.append(len(content))
    return {
        "label": label,
        "status": statuses[-1],
        "seconds": statistics.median(times),
        "peak": max(peaks),
        "bytes": sizes[-1],
    }


# --- The worker's side ------------------------------------------------------------------------

PARSE_IN_FRESH_PROCESS = """
import json, resource, sys, time
from django.conf import settings
import django
django.setup()
from claims.ingest import IngestError
from claims.ingest.sandbox import ParseLimits, extract_file_sandboxed
limits = ParseLimits(settings.UPLOAD_MAX_BYTES, settings.UPLOAD_PARSE_MEMORY_BYTES,
                     settings.UPLOAD_PARSE_SECONDS)
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
try:
    outcome = f"read, {len(extract_file_sandboxed(data, sys.argv[2], limits=limits).text):,} chars"
except IngestError as exc:
    outcome = f"refused: {exc}"
print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome,
                  "child_peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))
"""

PDF_IN_FRESH_PROCESS = """
import json, resource, sys, time
import django
django.setup()
from claims import reports
from claims.models import Article, ReportPdf
article = Article.objects.get(pk=int(sys.argv[1]))
ReportPdf.objects.update_or_create(article=article, defaults={"status": "queued"})
started = time.perf_counter()
reports.build_pdf(article.pk)
report = ReportPdf.objects.get(article=article)
print(json.dumps({"seconds": time.perf_counter() - started, "status": report.status,
                  "bytes": len(report.pdf),
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def in_fresh_process(code: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        check=True,
        timeout=900,
    )
    return json.loads(result.stdout.splitlines()[-1])


# --- Main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-worker", action="store_true", help="only the web requests")
    options = parser.parse_args()

    started = time.perf_counter()
    SCRATCH.mkdir(exist_ok=True)
    import redis

    redis_db = redis.Redis.from_url(environment()["REDIS_URL"])
    redis_db.flushdb()  # db 14 is this benchmark's own
    inputs = {
        "bomb.docx": bomb_docx(),
        "page.html": big_html(),
        "article.txt": long_text().encode(),
    }
    for name, data in inputs.items():
        (SCRATCH / name).write_bytes(data)
    with zipfile.ZipFile(io.BytesIO(inputs["bomb.docx"])) as archive:
        expanded = sum(member.file_size for member in archive.infolist())
    print(
        f"Inputs: bomb.docx {len(inputs['bomb.docx']) / MB:.1f} MB expanding to "
        f"{expanded / MB:.0f} MB; page.html {len(inputs['page.html']) / MB:.1f} MB; "
        f"article {len(inputs['article.txt']):,} characters"
    )
    facts = seed(inputs["article.txt"].decode())
    print(f"Long article: {facts['sentences']:,} sentences, {facts['claims']:,} claims")

    server, worker = start_server()
    session, pk = facts["session"], facts["article"]
    article = f"/w/bench/articles/{pk}"
    try:
        # Warm up: imports, template loading, the database file in the page cache.
        for path in ("/workspaces/", f"{article}/", f"{article}/report/", f"{article}/sentences/"):
            request("GET", path, session=session)
        rows = [
            measure(
                worker, "baseline: workspace list", "GET", "/workspaces/", repeat=7, session=session
            )
        ]
        for name in ("bomb.docx", "page.html", "article.txt"):
            body, content_type = multipart({"source": "upload"}, name, inputs[name])
            rows.append(
                measure(
                    worker,
                    f"upload {name}",
                    "POST",
                    "/w/bench/articles/new/",
                    session=session,
                    body=body,
                    content_type=content_type,
                )
            )
        for label, path in [
            ("dashboard (lists the long article)", "/w/bench/"),
            ("queue, filtered to the long article", f"/w/bench/queue/?article={pk}&status=all"),
            ("claim page (a claim of the long article)", f"/w/bench/claims/{facts['claim']}/"),
            ("article page, part 1", f"{article}/"),
            ("article page, part 10", f"{article}/?part=10"),
            ("sentences, page 1", f"{article}/sentences/"),
            ("sentences, page 40", f"{article}/sentences/?page=40"),
            ("HTML report", f"{article}/report/"),
        ]:
            rows.append(measure(worker, label, "GET", path, repeat=3, session=session))
        rows.append(
            measure(
                worker, "PDF report: ask for it", "POST", f"{article}/report/pdf/", session=session
            )
        )
        # The download serves what the worker built (built here by hand, see below).
        if not options.skip_worker:
            pdf = in_fresh_process(PDF_IN_FRESH_PROCESS, str(pk))
            rows.append(
                measure(
                    worker,
                    "PDF report: download",
                    "GET",
                    f"{article}/report.pdf",
                    repeat=3,
                    session=session,
                )
            )
        rows.append(
            measure(
                worker,
                "anonymous 50 MB POST to /accounts/login/",
                "POST",
                "/accounts/login/",
                body=b"x" * 65536,
                content_type="application/x-www-form-urlencoded",
                headers={"Content-Length": str(50 * MB)},
            )
        )
        rows.append(
            measure(
                worker,
                "member 50 MB upload",
                "POST",
                "/w/bench/articles/new/",
                session=session,
                body=b"x" * 65536,
                content_type="multipart/form-data; boundary=x",
                headers={"Content-Length": str(50 * MB)},
            )
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        redis_db.flushdb()  # the extraction tasks nobody was meant to run

    base = rows[0]
    print(
        f"\nWeb requests (gunicorn, 1 sync worker), next to {base['label']}: "
        f"{base['seconds'] * 1000:.0f} ms, peak RSS {base['peak'] / MB:.0f} MiB"
    )
    print(
        f"{'request':44} {'status':>6} {'ms':>8} {'x time':>7} {'peak MiB':>9} {'x mem':>6} "
        f"{'KB out':>7}"
    )
    for row in rows:
        print(
            f"{row['label']:44} {row['status']:>6} {row['seconds'] * 1000:>8.0f} "
            f"{row['seconds'] / base['seconds']:>7.1f} {row['peak'] / MB:>9.0f} "
            f"{row['peak'] / base['peak']:>6.2f} {row['bytes'] / 1024:>7.0f}"
        )

    if not options.skip_worker:
        print("\nWorker side (each in a fresh process, default limits):")
        for name in ("bomb.docx", "page.html", "article.txt"):
            parse = in_fresh_process(PARSE_IN_FRESH_PROCESS, str(SCRATCH / name), name)
            print(
                f"  parse {name:12} {parse['seconds']:6.1f} s, parser child peak "
                f"{parse['child_peak'] / MB:5.0f} MiB: {parse['outcome'][:110]}"
            )
        # Under the web page limit, but it costs trafilatura minutes: the time limit stops it.
        (SCRATCH / "page-5mb.html").write_bytes(big_html(5 * MB - 1024))
        parse = in_fresh_process(PARSE_IN_FRESH_PROCESS, str(SCRATCH / "page-5mb.html"), "p.html")
        print(
            f"  parse page-5mb.html {parse['seconds']:.1f} s, child peak "
            f"{parse['child_peak'] / MB:.0f} MiB: {parse['outcome'][:100]}"
        )
        heavy = bomb_docx(24 * MB)
        (SCRATCH / "heavy.docx").write_bytes(heavy)
        parse = in_fresh_process(PARSE_IN_FRESH_PROCESS, str(SCRATCH / "heavy.docx"), "h.docx")
        print(
            f"  parse heavy.docx ({len(heavy) / MB:.1f} MB, 24 MB of XML) {parse['seconds']:.1f} s,"
            f" child peak {parse['child_peak'] / MB:.0f} MiB: {parse['outcome'][:90]}"
        )
        print(
            f"  PDF report of the long article: {pdf['seconds']:.1f} s, {pdf['status']}, "
            f"{pdf['bytes'] / 1024:.0f} KB, process peak {pdf['peak'] / MB:.0f} MiB"
        )
    print(f"\nTotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
