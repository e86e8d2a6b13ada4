"""The child process of sandbox.py: limit ourselves, parse one file, answer in JSON.

    python -m claims.ingest.parse_worker MEMORY_BYTES SECONDS < header-line + file bytes

The limits are set before anything else is imported, so the parsers run under them from their
first byte. Every outcome is one JSON object on stdout: {"article": {...}}, {"error": message
for the user} or {"failure": "memory"}; running out of CPU time ends the process (SIGXCPU).
"""

import json
import logging
import resource
import sys
import warnings


def limit_resources(memory_bytes: int, seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # The soft limit sends SIGXCPU (which ends the process); the hard one is the backstop.
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    # A parser has no reason to write files, and a crash leaves no core dump behind.
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main() -> None:
    limit_resources(int(sys.argv[1]), int(sys.argv[2]))
    # Damaged files make pypdf and trafilatura log a line per broken object; nobody reads them.
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    header, _, data = sys.stdin.buffer.read().partition(b"\n")
    request = json.loads(header)
    try:
        answer = {"article": parse(data, request["filename"], max_bytes=request["max_bytes"])}
    except MemoryError:
        answer = {"failure": "memory"}
    except Exception as exc:
        from claims.ingest.text import IngestError

        if not isinstance(exc, IngestError):
            raise
        answer = {"error": str(exc)}
    sys.stdout.write(json.dumps(answer))


def parse(data: bytes, filename: str, *, max_bytes: int) -> dict:
    from claims.ingest.files import extract_file

    article = extract_file(data, filename, max_bytes=max_bytes)
    return {
        "text": article.text,
        "title": article.title,
        "author": article.author,
        "outlet": article.outlet,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
    }


if __name__ == "__main__":
    main()
