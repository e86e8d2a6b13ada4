"""Local test web servers and network seams for the ingest tests.

Everything listens on 127.0.0.1. To exercise the checks a real public site would meet, tests
use `public_dns`, which makes chosen hostnames resolve to the local server and treats
127.0.0.1 — and only 127.0.0.1 — as public. Every other private address stays blocked, so a
redirect to 127.0.0.2, 10.0.0.1 or [::1] still proves the redirect was checked.
"""

import contextlib
import gzip
import http.server
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from claims.ingest import fetch

LOCALHOST = ipaddress.ip_address("127.0.0.1")

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
  <title>Mayor claims crime fell by half | The Daily Bugle</title>
  <meta name="author" content="Jane Doe">
  <meta property="og:site_name" content="The Daily Bugle">
  <meta property="article:published_time" content="2024-03-05T10:00:00Z">
  <style>p { color: red; }</style>
  <script>var tracking = "SCRIPT-SHOULD-NOT-APPEAR";</script>
</head>
<body>
  <nav><a href="/">Home</a> | <a href="/news">News</a></nav>
  <article>
    <h1>Mayor claims crime fell by half</h1>
    <p>The mayor said on Tuesday that crime in the city had fallen by half over the past
    year, a figure that police data does not support.</p>
    <p>According to the police department's annual report, recorded offences fell by
    4 percent in the same period, far from the claimed reduction.</p>
    <p>A spokesperson for the mayor did not respond to a request for comment by the time
    of publication.</p>
  </article>
  <script>document.write("ALSO-NOT-THIS");</script>
  <footer>Copyright The Daily Bugle</footer>
</body>
</html>
"""

# What the slow and huge routes dribble out; they stop when the client hangs up.
DRIP_INTERVAL = 0.05
DRIP_FOR = 4.0


class ArticleHandler(http.server.BaseHTTPRequestHandler):
    """Serves the fixed routes below; records each request's Host header."""

    server: "ArticleServer"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output clean

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.server.requests.append((url.path, self.headers.get("Host", "")))
        route = url.path.strip("/").split("/")
        handler = getattr(self, "route_" + route[0].replace("-", "_"), None)
        if handler is None:
            self.send_body(404, b"not found", "text/plain")
            return
        # The client hangs up mid-body whenever a size or time limit works as intended.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler(*route[1:], **{k: v[0] for k, v in parse_qs(url.query).items()})

    def send_body(self, status: int, body: bytes, content_type: str | None, **headers) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def route_article(self) -> None:
        self.send_body(200, ARTICLE_HTML.encode(), "text/html; charset=utf-8")

    def route_plain(self) -> None:
        body = b"The minister said unemployment is at a record low.\r\n"
        self.send_body(200, body, "text/plain; charset=utf-8")

    def route_latin1(self) -> None:
        body = "<html><body><p>Le café coûte 3 €uros.</p></body></html>".encode("cp1252")
        self.send_body(200, body, 'text/html; charset="ISO-8859-1"')

    def route_host(self) -> None:
        self.send_body(200, self.headers.get("Host", "").encode(), "text/plain")

    def route_redirect(self, hops: str) -> None:
        location = "/article" if int(hops) == 0 else f"/redirect/{int(hops) - 1}"
        self.send_body(302, b"", "text/plain", Location=location)

    def route_redirect_to(self, to: str) -> None:
        self.send_body(302, b"", "text/plain", Location=to)

    def route_loop(self) -> None:
        self.send_body(302, b"", "text/plain", Location="/loop")

    def route_redirect_without_location(self) -> None:
        self.send_body(302, b"", "text/plain")

    def route_status(self, code: str) -> None:
        self.send_body(int(code), b"<p>error page</p>", "text/html")

    def route_image(self) -> None:
        self.send_body(200, b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")

    def route_untyped(self) -> None:
        self.send_body(200, b"<p>no content type</p>", None)

    def route_gzip(self) -> None:
        body = gzip.compress(ARTICLE_HTML.encode())
        self.send_body(200, body, "text/html", Content_Encoding="gzip")

    def route_gzip_bomb(self) -> None:
        self.send_body(200, self.server.gzip_bomb(), "text/html", Content_Encoding="gzip")

    def route_huge_declared(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(50_000_000))
        self.end_headers()
        self.drip(b"<p>" + b"x" * 65536, interval=0)

    def route_huge_undeclared(self) -> None:
        # HTTP/1.0 with no Content-Length: the body runs until the server closes.
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.drip(b"<p>" + b"x" * 65536, interval=0)

    def route_chunked(self, size: str) -> None:
        self.wfile.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        chunk = b"<p>" + b"chunked article text " * 100 + b"</p>\n"
        sent = 0
        while sent < int(size):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        self.wfile.write(b"0\r\n\r\n")

    def route_slow_body(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.drip(b"x", interval=DRIP_INTERVAL)

    def route_slow_headers(self) -> None:
        self.wfile.write(b"HTTP/1.0 200 OK\r\n")
        self.drip(b"X", interval=DRIP_INTERVAL)

    def drip(self, piece: bytes, *, interval: float) -> None:
        stop = time.monotonic() + DRIP_FOR
        while time.monotonic() < stop:
            self.wfile.write(piece)
            self.wfile.flush()
            time.sleep(interval)


class ArticleServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, sni_names: list[str] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), ArticleHandler)
        self.requests: list[tuple[str, str]] = []
        self.sni_names = sni_names
        self._gzip_bomb = b""

    def gzip_bomb(self) -> bytes:
        if not self._gzip_bomb:
            self._gzip_bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
        return self._gzip_bomb

    @property
    def port(self) -> int:
        return self.server_address[1]


def _serve(server: ArticleServer) -> Iterator[ArticleServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def server() -> Iterator[ArticleServer]:
    yield from _serve(ArticleServer())


@dataclass
class TLSFiles:
    cert: str
    key: str


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    """A self-signed certificate for news.example, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    files = TLSFiles(cert=str(folder / "cert.pem"), key=str(folder / "key.pem"))
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=news.example",
         "-addext", "subjectAltName=DNS:news.example",
         "-keyout", files.key, "-out", files.cert],
        check=True, capture_output=True,
    )  # fmt: skip
    return files


@pytest.fixture(scope="session")
def tls_server(tls_files: TLSFiles) -> Iterator[ArticleServer]:
    server = ArticleServer(sni_names=[])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_files.cert, tls_files.key)
    context.sni_callback = lambda _sock, name, _ctx: server.sni_names.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield from _serve(server)


@pytest.fixture
def trust_test_certificate(monkeypatch: pytest.MonkeyPatch, tls_files: TLSFiles) -> None:
    monkeypatch.setattr(
        fetch, "tls_context", lambda: ssl.create_default_context(cafile=tls_files.cert)
    )


@dataclass
class FakeDNS:
    """Hostname -> addresses, for `fetch.resolve`; records every lookup."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)

    def resolve(self, host: str, port: int) -> list[fetch.IPAddress]:
        self.lookups.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(address) for address in self.answers[host]]


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    """Replace DNS with a table the test fills in; unknown names don't resolve."""
    dns = FakeDNS()
    monkeypatch.setattr(fetch, "resolve", dns.resolve)
    return dns


@pytest.fixture
def public_dns(monkeypatch: pytest.MonkeyPatch, fake_dns: FakeDNS) -> FakeDNS:
    """news.example and other.example -> 127.0.0.1, treated as a public address."""
    fake_dns.answers.update({"news.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
    real_is_blocked = fetch.is_blocked
    monkeypatch.setattr(fetch, "is_blocked", lambda ip: ip != LOCALHOST and real_is_blocked(ip))
    return fake_dns


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every address fetch connects to; connections still go through."""
    made: list[tuple[str, int]] = []
    real_create_connection = socket.create_connection

    def recording_create_connection(address, *args, **kwargs):
        made.append(address)
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", recording_create_connection)
    return made


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test on any DNS lookup or connection attempt."""

    def forbidden(*args, **kwargs):
        pytest.fail(f"unexpected network access: {args!r}")

    monkeypatch.setattr(fetch, "resolve", forbidden)
    monkeypatch.setattr(socket, "getaddrinfo", forbidden)
    monkeypatch.setattr(socket, "create_connection", forbidden)
    monkeypatch.setattr(socket.socket, "connect", forbidden)
