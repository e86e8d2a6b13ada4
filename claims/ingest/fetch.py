"""Fetch the web page a fact-checker points us at, without letting the URL reach inside.

The server fetches on the user's behalf, so a URL is a request to open a connection from
inside our network (SSRF). The defence, in order:

1. `validate_public_url` checks the URL's syntax with no network access: http(s) only, no
   login details, and a host that is neither a local name nor a non-public IP literal,
   including the odd spellings (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`).
2. `fetch_url` resolves the host once with `resolve` and refuses it if ANY address is
   non-public (`is_blocked`). This is the real check: a public-looking name can point
   anywhere, and the resolver also accepts the odd spellings. The refusal reads exactly like
   "no such name" (NOT_FOUND), so errors don't tell which internal names exist.
3. It then connects to exactly the address it checked, never re-resolving, so a DNS answer
   that changes between check and use (rebinding) gains nothing. TLS still verifies the
   certificate against the hostname.
4. Redirects are followed by hand, each Location going through steps 1-3 again.

One deadline covers the whole fetch, including a server that drips its reply a byte at a
time, and the body is capped while it streams. Errors are `IngestError`s with messages for
the user; `TransientFetchError` marks the ones worth retrying later.
"""

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import unicodedata
import zlib
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

import certifi

from claims.ingest.html import extract_html, sniff_charset
from claims.ingest.text import (
    ExtractedArticle,
    IngestError,
    decode_text,
    format_size,
    make_article,
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_CONTENT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_URL_LENGTH = 2048
USER_AGENT = "factcheck/0.1 (newsroom claim verification)"
_CHUNK_BYTES = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}

BLOCKED_ADDRESS = "That address points to a private or local network, so it can't be fetched."
# For a name that does not resolve AND for one that resolves to a private address: telling
# them apart would let anyone map which internal names exist. (BLOCKED_ADDRESS is only for
# what the address itself says, an IP literal or a local name, which reveals nothing.)
NOT_FOUND = "We couldn't find a public website at that address. Check it for typos."
TIMED_OUT = "The website took too long to respond."

# Names that mean "this machine" or "this network" whatever DNS says about them.
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_LOCAL_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".home.arpa")
_HOST_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$")
# A label the resolver reads as a number (decimal, octal or hex): the host is an IPv4 literal.
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")

# Ranges `is_global` doesn't exclude in every Python version; see is_blocked.
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")


class TransientFetchError(IngestError):
    """The fetch failed for a reason that may pass (timeout, refused connection, HTTP 5xx)."""


@dataclass(frozen=True)
class FetchedPage:
    url_final: str
    status: int
    content_type: str
    body: bytes
    charset: str | None


@dataclass(frozen=True)
class _Target:
    """A validated URL, split into what the connection needs."""

    url: str
    scheme: str
    host: str  # ASCII; used for DNS, the Host header and certificate checks
    port: int
    request_path: str
    ip: IPAddress | None  # set when the host is an IP literal


@dataclass(frozen=True)
class _Redirect:
    location: str


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to. Tests replace this to simulate DNS."""
    addresses: list[IPAddress] = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def is_blocked(ip: IPAddress) -> bool:
    """True unless `ip` is an ordinary public unicast address we may connect to."""
    if isinstance(ip, ipaddress.IPv6Address):
        # These embed an IPv4 address that the packet really goes to.
        if ip.ipv4_mapped is not None:
            return is_blocked(ip.ipv4_mapped)
        if ip in _NAT64:
            return is_blocked(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None and is_blocked(ip.sixtofour):
            return True
        # Deprecated and never legitimate; Teredo (2001::/32) is already non-global.
        if ip in _IPV4_COMPATIBLE or ip.is_site_local:
            return True
    elif ip in _SHARED_ADDRESS_SPACE:
        return True
    # is_global alone lets multicast (224.0.0.0/4, ff00::/8) through.
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def validate_public_url(url: str, *, allow_private: bool = False) -> str:
    """Check a URL without touching the network; return it normalised, or raise `IngestError`.

    Suitable for form validation. Passing it doesn't make a URL safe to fetch: only
    `fetch_url`, which checks the resolved addresses, does that.
    """
    return _parse_target(url, allow_private=allow_private).url


def fetch_url(
    url: str,
    *,
    max_bytes: int,
    connect_timeout: float,
    total_timeout: float,
    max_redirects: int = 5,
    allow_private: bool = False,
) -> FetchedPage:
    """GET a public web page, following up to `max_redirects` redirects.

    `allow_private` exists only so tests can fetch from a server on 127.0.0.1; production
    code must leave it False.
    """
    deadline = time.monotonic() + total_timeout
    target = _parse_target(url, allow_private=allow_private)
    try:
        for _ in range(max_redirects + 1):
            addresses = _checked_addresses(target, allow_private=allow_private)
            result = _request(
                target,
                addresses,
                max_bytes=max_bytes,
                connect_timeout=connect_timeout,
                deadline=deadline,
            )
            if isinstance(result, FetchedPage):
                return result
            target = _parse_target(
                urljoin(target.url, result.location), allow_private=allow_private
            )
    except (OSError, http.client.HTTPException) as err:
        raise _network_error(err) from err
    raise IngestError(f"The page redirected more than {max_redirects} times, so we stopped.")


def extract_url(
    url: str,
    *,
    max_bytes: int,
    connect_timeout: float,
    total_timeout: float,
    max_redirects: int = 5,
    allow_private: bool = False,
) -> ExtractedArticle:
    """Fetch a page and return its article text, title, byline, outlet and date."""
    page = fetch_url(
        url,
        max_bytes=max_bytes,
        connect_timeout=connect_timeout,
        total_timeout=total_timeout,
        max_redirects=max_redirects,
        allow_private=allow_private,
    )
    if page.content_type == "text/plain":
        text = decode_text(page.body, declared_charset=page.charset, source="page")
        return make_article(text, url=page.url_final)
    # An HTTP charset outranks a <meta> one, as in browsers.
    charset = page.charset or sniff_charset(page.body)
    html = decode_text(page.body, declared_charset=charset, source="page")
    return extract_html(html, url=page.url_final)


def tls_context() -> ssl.SSLContext:
    """Certificate checking for https fetches. Tests replace this to trust their own CA."""
    return ssl.create_default_context(cafile=certifi.where())


# --- URL validation -------------------------------------------------------------------------


def _parse_target(url: str, *, allow_private: bool) -> _Target:
    url = url.strip()
    if not url:
        raise IngestError("Enter the web address of the page.")
    if len(url) > MAX_URL_LENGTH:
        raise IngestError(f"That web address is too long (over {MAX_URL_LENGTH:,} characters).")
    # urlsplit silently deletes tabs and newlines, which would hide what was really asked for.
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in url):
        raise IngestError(
            "That web address contains spaces or line breaks. Remove them and try again."
        )

    invalid = IngestError("That doesn't look like a valid web address.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise invalid from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise IngestError("Only web addresses starting with http:// or https:// can be fetched.")
    if "@" in parts.netloc:
        raise IngestError("Web addresses with a login (user:password@) can't be fetched.")
    if not parts.hostname:
        raise invalid
    if port == 0:
        raise invalid

    host, ip = _parse_host(parts.hostname, bracketed=parts.netloc.startswith("["))
    if not allow_private:
        if ip is not None and is_blocked(ip):
            raise IngestError(BLOCKED_ADDRESS)
        # Single-label names ("intranet") resolve through the local search domains.
        if ip is None and (_is_local_name(host) or "." not in host):
            raise IngestError(BLOCKED_ADDRESS)

    port = port or _DEFAULT_PORTS[scheme]
    netloc = f"[{host}]" if ip is not None and ip.version == 6 else host
    if port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    # Percent-encode anything non-ASCII so the request line is valid; existing escapes stay.
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/?%:@!$&'()*+,;=-._~")
    request_path = f"{path}?{query}" if query else path
    return _Target(
        url=f"{scheme}://{netloc}{request_path}",
        scheme=scheme,
        host=host,
        port=port,
        request_path=request_path,
        ip=ip,
    )


def _parse_host(hostname: str, *, bracketed: bool) -> tuple[str, IPAddress | None]:
    """The host in ASCII, and its IP address if it is written as one."""
    invalid = IngestError("That doesn't look like a valid web address.")
    if bracketed:
        try:
            ip = ipaddress.IPv6Address(hostname)
        except ValueError:
            raise invalid from None
        # A zone ("%eth0") names one of our own network interfaces.
        if ip.scope_id:
            raise invalid
        return str(ip), ip

    try:
        # IDNA also maps lookalikes: full-width digits and dots become "127.0.0.1".
        host = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise invalid from None
    if host.endswith("."):
        host = host[:-1]
    labels = host.split(".")
    if not host or len(host) > 253:
        raise invalid
    if _NUMERIC_LABEL.match(labels[-1]):
        ip = _parse_ipv4(labels)
        if ip is None:
            raise invalid
        return str(ip), ip
    if not all(_HOST_LABEL.match(label) and len(label) <= 63 for label in labels):
        raise invalid
    return host, None


def _parse_ipv4(labels: list[str]) -> ipaddress.IPv4Address | None:
    """Read an IPv4 literal the way inet_aton does, so 127.1 and 0x7f000001 are 127.0.0.1."""
    if not 1 <= len(labels) <= 4 or not all(_NUMERIC_LABEL.match(label) for label in labels):
        return None
    numbers = []
    for label in labels:
        try:
            if label.startswith("0x"):
                numbers.append(int(label[2:] or "0", 16))
            elif len(label) > 1 and label.startswith("0"):
                numbers.append(int(label, 8))
            else:
                numbers.append(int(label))
        except ValueError:  # "08" is not octal
            return None
    *leading, last = numbers
    # The last number fills all the bytes the leading ones didn't: 127.1 is 127.0.0.1.
    if any(number > 255 for number in leading) or last >= 256 ** (4 - len(leading)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _is_local_name(host: str) -> bool:
    return host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES)


# --- The request ----------------------------------------------------------------------------


def _checked_addresses(target: _Target, *, allow_private: bool) -> list[IPAddress]:
    if target.ip is not None:
        if not allow_private and is_blocked(target.ip):
            raise IngestError(BLOCKED_ADDRESS)
        return [target.ip]
    addresses = resolve(target.host, target.port)
    # One private answer is enough to refuse: we can't choose which one a retry would use.
    if not addresses or (not allow_private and any(is_blocked(a) for a in addresses)):
        raise IngestError(NOT_FOUND)
    return addresses


class _Watchdog:
    """Shuts the socket down when the deadline passes.

    Socket timeouts bound each read, not the exchange: a server sending a byte every few
    seconds would never trip them. Shutting the socket from a timer wakes any blocked read.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.expired = False
        self._sock = sock
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.expired = True
        # socket.socket's own shutdown, not SSLSocket's, which would tear down TLS state
        # under the thread that is reading.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(self._sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _request(
    target: _Target,
    addresses: list[IPAddress],
    *,
    max_bytes: int,
    connect_timeout: float,
    deadline: float,
) -> FetchedPage | _Redirect:
    sock = _connect(target, addresses, connect_timeout=connect_timeout, deadline=deadline)
    watchdog = _Watchdog(sock, deadline)
    try:
        if isinstance(sock, ssl.SSLSocket):
            sock.do_handshake()
        connection = http.client.HTTPConnection(target.host, target.port)
        connection.sock = sock  # already connected to the checked address
        connection.request("GET", target.request_path, headers=_request_headers(target))
        with connection.getresponse() as response:
            result = _read_response(response, target=target, max_bytes=max_bytes)
    except (OSError, http.client.HTTPException, IngestError) as err:
        if watchdog.expired:
            raise TransientFetchError(TIMED_OUT) from err
        raise
    finally:
        watchdog.cancel()
        sock.close()
    # http.client takes the watchdog's shutdown for the end of the headers or of a body
    # sent without a length, so a cut-off response can arrive here looking complete.
    if watchdog.expired:
        raise TransientFetchError(TIMED_OUT)
    return result


def _read_response(
    response: http.client.HTTPResponse, *, target: _Target, max_bytes: int
) -> FetchedPage | _Redirect:
    if response.status in REDIRECT_STATUSES:
        location = response.getheader("Location")
        if not location:
            raise IngestError("The website redirected without saying where to.")
        return _Redirect(location)
    _check_status(response.status)
    content_type, charset = _parse_content_type(response.getheader("Content-Type", ""))
    if content_type not in ALLOWED_CONTENT_TYPES:
        raise IngestError(
            f"That address serves “{content_type or 'an unknown type'}”, not a web page. "
            "Only HTML pages and plain text can be fetched."
        )
    body = _read_body(response, max_bytes=max_bytes)
    return FetchedPage(
        url_final=target.url,
        status=response.status,
        content_type=content_type,
        body=_decompress(body, response.getheader("Content-Encoding", ""), max_bytes),
        charset=charset,
    )


def _connect(
    target: _Target, addresses: list[IPAddress], *, connect_timeout: float, deadline: float
) -> socket.socket:
    """A socket connected to the first reachable address; TLS-wrapped but not handshaken."""
    error = None
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TransientFetchError(TIMED_OUT)
        try:
            sock = socket.create_connection(
                (str(address), target.port), timeout=min(connect_timeout, remaining)
            )
        except OSError as err:
            error = err
            continue
        # The watchdog bounds the whole exchange; this just keeps reads from waiting longer.
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        if target.scheme != "https":
            return sock
        try:
            # The certificate must match the hostname even though we dialled an IP.
            return tls_context().wrap_socket(
                sock, server_hostname=target.host, do_handshake_on_connect=False
            )
        except BaseException:
            sock.close()
            raise
    assert error is not None  # addresses is never empty: _checked_addresses sees to that
    raise error


def _request_headers(target: _Target) -> dict[str, str]:
    host = f"[{target.host}]" if ":" in target.host else target.host
    if target.port != _DEFAULT_PORTS[target.scheme]:
        host += f":{target.port}"
    return {
        "Host": host,
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
        # Asking for no compression keeps the size cap honest; see _decompress for the rest.
        "Accept-Encoding": "identity",
        "Connection": "close",
    }


def _check_status(status: int) -> None:
    if 200 <= status < 300:
        return
    if status in (404, 410):
        raise IngestError(f"The page wasn't found (HTTP {status}). Check the address.")
    if status in (401, 403):
        raise IngestError(
            f"The website refused access to the page (HTTP {status}). "
            "It may need a login or block automated access."
        )
    if status in (408, 425, 429) or status >= 500:
        raise TransientFetchError(
            f"The website couldn't serve the page just now (HTTP {status}). Try again later."
        )
    raise IngestError(f"The website gave an unexpected response (HTTP {status}).")


def _parse_content_type(header: str) -> tuple[str, str | None]:
    media_type, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media_type.strip().lower(), charset


def _read_body(response: http.client.HTTPResponse, *, max_bytes: int) -> bytes:
    too_large = IngestError(f"The page is too large to fetch (over {format_size(max_bytes)}).")
    # Refuse a declared oversize body before reading any of it; count anyway, as it may lie.
    if response.length is not None and response.length > max_bytes:
        raise too_large
    chunks, size = [], 0
    while chunk := response.read1(_CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _decompress(body: bytes, content_encoding: str, max_bytes: int) -> bytes:
    """Undo gzip a server sent despite our asking for none, stopping at the size cap."""
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise IngestError(f"The website sent the page in a format we can't read ({encoding}).")
    # wbits 32 + MAX_WBITS accepts both gzip and zlib headers.
    decompressor = zlib.decompressobj(32 + zlib.MAX_WBITS)
    try:
        inflated = decompressor.decompress(body, max_bytes + 1)
    except zlib.error:
        raise IngestError("The website sent a damaged compressed page.") from None
    if len(inflated) > max_bytes:
        raise IngestError(f"The page is too large to fetch (over {format_size(max_bytes)}).")
    return inflated


def _network_error(err: Exception) -> IngestError:
    """The user-facing error for a failure below HTTP, marked transient when worth a retry."""
    if isinstance(err, socket.gaierror):
        if err.errno == socket.EAI_AGAIN:
            return TransientFetchError("We couldn't look up that website just now.")
        return IngestError(NOT_FOUND)
    if isinstance(err, TimeoutError):
        return TransientFetchError(TIMED_OUT)
    if isinstance(err, ssl.SSLCertVerificationError):
        return IngestError(
            "The website's security certificate couldn't be verified, so the page wasn't fetched."
        )
    if isinstance(err, ssl.SSLError):
        return IngestError("A secure connection to the website couldn't be set up.")
    if isinstance(err, ConnectionRefusedError):
        return TransientFetchError("The website refused the connection. Try again later.")
    if isinstance(err, OSError | http.client.IncompleteRead):
        return TransientFetchError("The connection to the website failed. Try again later.")
    return IngestError("The website sent a response that couldn't be understood.")
