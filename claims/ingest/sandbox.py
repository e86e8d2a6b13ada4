"""Parse an uploaded file in a child process with hard limits on memory, CPU and time.

An upload is untrusted input to parsers (python-docx over lxml, trafilatura, pypdf) whose cost
is not bounded by the file's size: a 2.5 MB .docx can expand to 100 MB of XML and cost 1.5 GB
and half a minute to open. The checks in files.py refuse what can be seen beforehand; what
can't is bounded here. The parse runs in `python -m claims.ingest.parse_worker`, which first
limits itself with setrlimit (address space, CPU seconds, no files written, no core dumps) and
is killed when the wall-clock deadline passes. It reads one file on stdin and writes one JSON
answer on stdout. Whatever happens inside it, the Celery worker that started it carries on and
the fact-checker reads why the file was refused.

The child gets no environment beyond PATH and a locale: none of the app's secrets (database
URL, secret key) are within reach of code parsing someone else's file.
"""

import datetime
import json
import logging
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from claims.ingest.text import ExtractedArticle, IngestError

logger = logging.getLogger(__name__)

# The project root, so `-m claims.ingest.parse_worker` imports the same code as this process.
_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ParseLimits:
    """What one parse may use. `max_bytes` is the upload limit, checked again in the child."""

    max_bytes: int
    memory_bytes: int
    seconds: int


def extract_file_sandboxed(data: bytes, filename: str, *, limits: ParseLimits) -> ExtractedArticle:
    """`files.extract_file` run in a limited child process; `IngestError` says what went wrong."""
    header = json.dumps({"filename": filename, "max_bytes": limits.max_bytes}).encode()
    command = [
        sys.executable,
        # No PYTHON* variables and no user site: the child runs our code and nothing else.
        "-E",
        "-s",
        "-m",
        "claims.ingest.parse_worker",
        str(limits.memory_bytes),
        str(limits.seconds),
    ]
    process = subprocess.Popen(  # noqa: S603 - a fixed command line, no shell
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=_ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"},
    )
    try:
        # Interpreter start-up and imports count against the deadline too.
        stdout, stderr = process.communicate(header + b"\n" + data, timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise IngestError(_too_slow(limits)) from None
    finally:
        # Also when the task itself is stopped (a soft time limit) mid-parse.
        if process.poll() is None:
            process.kill()
            process.wait()
    return _answer(process.returncode, stdout, stderr, limits)


def _answer(returncode: int, stdout: bytes, stderr: bytes, limits: ParseLimits) -> ExtractedArticle:
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise IngestError(_too_slow(limits))
    try:
        answer = json.loads(stdout)
    except ValueError:
        answer = None
    if returncode != 0 or not isinstance(answer, dict):
        if b"MemoryError" in stderr:
            raise IngestError(_too_big(limits))
        logger.warning(
            "File parser exited with %s: %s", returncode, stderr[-2000:].decode(errors="replace")
        )
        raise IngestError(
            "This file couldn't be read: the reader stopped unexpectedly. "
            "Save it again in another format, or paste the text instead."
        )
    if answer.get("failure") == "memory":
        raise IngestError(_too_big(limits))
    if "error" in answer:
        raise IngestError(answer["error"])
    article = answer["article"]
    published = article.pop("published")
    return ExtractedArticle(
        **article, published=datetime.date.fromisoformat(published) if published else None
    )


def _too_slow(limits: ParseLimits) -> str:
    seconds = f"{limits.seconds} second{'' if limits.seconds == 1 else 's'}"
    return (
        f"Reading this file took longer than {seconds}, so it was stopped. "
        "Save it again in a simpler format (plain text or a new .docx), or paste the text instead."
    )


def _too_big(limits: ParseLimits) -> str:
    megabytes = limits.memory_bytes // (1024 * 1024)
    return (
        f"Reading this file needed more than {megabytes} MB of memory, so it was stopped. "
        "Save it again in a simpler format (plain text or a new .docx), or paste the text instead."
    )
