"""fetch_url and extract_url against local test servers: the happy path, redirects and their
re-validation, DNS pinning, time and size limits, and permanent versus transient errors."""

import datetime
import socket
import time

import pytest

from claims.ingest import IngestError, TransientFetchError, extract_url, fetch
from claims.ingest.fetch import BLOCKED_ADDRESS, NOT_FOUND, TIMED_OUT, fetch_url

LIMITS = {"max_bytes": 1_000_000, "connect_timeout": 2.0, "total_timeout": 5.0}


def local(server, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def public(server, path: str, host: str = "news.example") -> str:
    return f"http://{host}:{server.port}{path}"


# --- Happy paths ------------------------------------------------------------------------------


def test_extracts_article_text_and_metadata(server):
    article = extract_url(local(server, "/article"), allow_private=True, **LIMITS)

    assert "crime in the city had fallen by half" in article.text
    assert "recorded offences fell by 4 percent" in article.text
    assert article.title == "Mayor claims crime fell by half"
    assert article.author == "Jane Doe"
    assert article.outlet == "The Daily Bugle"
    assert article.published == datetime.date(2024, 3, 5)
    assert article.url == local(server, "/article")


def test_extracted_text_has_no_script_style_or_markup(server):
    article = extract_url(local(server, "/article"), allow_private=True, **LIMITS)

    for leftover in ("SCRIPT-SHOULD-NOT-APPEAR", "ALSO-NOT-THIS", "color: red", "<p>", "</"):
        assert leftover not in article.text


def test_fetch_url_reports_the_response(server):
    page = fetch_url(local(server, "/article"), allow_private=True, **LIMITS)

    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.charset == "utf-8"
    assert page.body.startswith(b"<!DOCTYPE html>")
    assert page.url_final == local(server, "/article")


def test_plain_text_page(server):
    article = extract_url(local(server, "/plain"), allow_private=True, **LIMITS)

    assert article.text == "The minister said unemployment is at a record low."


def test_page_in_a_declared_legacy_charset(server):
    article = extract_url(local(server, "/latin1"), allow_private=True, **LIMITS)

    assert article.text == "Le café coûte 3 €uros."


def test_chunked_body(server):
    article = extract_url(local(server, "/chunked/20000"), allow_private=True, **LIMITS)

    assert article.text.startswith("chunked article text")


def test_gzip_body_is_inflated(server):
    article = extract_url(local(server, "/gzip"), allow_private=True, **LIMITS)

    assert "fallen by half" in article.text


def test_follows_a_redirect_chain(server):
    page = fetch_url(local(server, "/redirect/3"), allow_private=True, **LIMITS)

    assert page.url_final == local(server, "/article")


def test_follows_exactly_max_redirects(server):
    page = fetch_url(local(server, "/redirect/2"), allow_private=True, max_redirects=3, **LIMITS)

    assert page.status == 200


def test_stops_after_too_many_redirects(server):
    with pytest.raises(IngestError, match="redirected more than 3 times"):
        fetch_url(local(server, "/redirect/3"), allow_private=True, max_redirects=3, **LIMITS)


def test_redirect_loop_is_stopped(server):
    with pytest.raises(IngestError, match="redirected more than 5 times"):
        fetch_url(local(server, "/loop"), allow_private=True, **LIMITS)


def test_redirect_without_location(server):
    with pytest.raises(IngestError, match="without saying where") as caught:
        fetch_url(local(server, "/redirect-without-location"), allow_private=True, **LIMITS)

    assert not isinstance(caught.value, TransientFetchError)


# --- Private addresses, DNS and redirects -----------------------------------------------------


def test_private_address_is_refused_by_default_without_connecting(server, connections):
    with pytest.raises(IngestError, match="private or local network"):
        fetch_url(local(server, "/article"), **LIMITS)

    assert connections == []


def test_public_host_is_fetched_from_the_checked_address(server, public_dns, connections):
    page = fetch_url(public(server, "/host"), **LIMITS)

    # One lookup, then a connection to exactly that answer, with the name kept in Host.
    assert public_dns.lookups == ["news.example"]
    assert connections == [("127.0.0.1", server.port)]
    assert page.body == f"news.example:{server.port}".encode()


def test_dns_rebinding_gains_nothing(server, public_dns, connections, monkeypatch):
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])

    def rebinding_resolve(host, port):
        public_dns.answers[host] = next(answers)
        return public_dns.resolve(host, port)

    monkeypatch.setattr(fetch, "resolve", rebinding_resolve)

    page = fetch_url(public(server, "/article"), **LIMITS)

    assert page.status == 200
    assert public_dns.lookups == ["news.example"]
    assert connections == [("127.0.0.1", server.port)]


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.2:{port}/article",
        "http://0x7f000002:{port}/article",
        "http://2130706434:{port}/article",
        "http://localhost:{port}/article",
        "http://[::1]:{port}/article",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data",
    ],
)
def test_redirect_to_a_private_address_is_refused(server, public_dns, connections, location):
    target = location.format(port=server.port)

    with pytest.raises(IngestError) as caught:
        fetch_url(public(server, f"/redirect-to?to={target}"), **LIMITS)

    assert str(caught.value) == BLOCKED_ADDRESS
    assert connections == [("127.0.0.1", server.port)]  # only the first hop


@pytest.mark.parametrize("location", ["http://evil.test/", "//evil.test/"])
def test_redirect_to_a_name_resolving_privately_is_refused(
    server, public_dns, connections, location
):
    public_dns.answers["evil.test"] = ["10.0.0.1"]

    with pytest.raises(IngestError) as caught:
        fetch_url(public(server, f"/redirect-to?to={location}"), **LIMITS)

    assert str(caught.value) == NOT_FOUND
    assert connections == [("127.0.0.1", server.port)]  # only the first hop


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("file:///etc/passwd", "http:// or https://"),
        ("ftp://example.com/", "http:// or https://"),
        ("gopher://example.com:70/", "http:// or https://"),
        ("http://user:pw@example.com/", "login"),
    ],
)
def test_redirect_to_a_forbidden_url_is_refused(server, public_dns, connections, location, message):
    with pytest.raises(IngestError, match=message):
        fetch_url(public(server, f"/redirect-to?to={location}"), **LIMITS)

    assert connections == [("127.0.0.1", server.port)]


def test_redirect_to_another_public_host_is_followed(server, public_dns):
    target = public(server, "/host", host="other.example")

    page = fetch_url(public(server, f"/redirect-to?to={target}"), **LIMITS)

    assert page.url_final == target
    assert public_dns.lookups == ["news.example", "other.example"]
    assert page.body == f"other.example:{server.port}".encode()


def test_redirect_to_private_address_is_followed_only_when_allowed(server):
    target = f"http://localhost:{server.port}/article"

    page = fetch_url(local(server, f"/redirect-to?to={target}"), allow_private=True, **LIMITS)

    assert page.url_final == target


@pytest.mark.parametrize(
    "addresses",
    [
        ["10.0.0.1"],
        ["::1"],
        ["169.254.169.254"],
        ["fd00::1"],
        ["::ffff:10.0.0.1"],
        ["100.64.0.1"],
        ["93.184.216.34", "10.0.0.1"],  # one private answer is enough
    ],
)
def test_host_resolving_to_a_private_address_is_refused_without_connecting(
    fake_dns, connections, addresses
):
    fake_dns.answers["evil.test"] = addresses

    with pytest.raises(IngestError) as caught:
        fetch_url("http://evil.test/", **LIMITS)

    assert str(caught.value) == NOT_FOUND
    assert connections == []


@pytest.mark.parametrize("redirected", [False, True])
def test_errors_do_not_tell_whether_an_internal_name_exists(
    server, public_dns, connections, redirected
):
    """A member probing names (intranet.corp.example, db.corp.example) learns nothing: a name
    that resolves to a private address fails exactly like one that does not resolve."""
    public_dns.answers["wiki.corp.example"] = ["10.1.2.3"]
    errors = []
    for name in ("wiki.corp.example", "nothing.corp.example"):
        url = f"http://{name}/"
        if redirected:
            url = public(server, f"/redirect-to?to={url}")
        with pytest.raises(IngestError) as caught:
            fetch_url(url, **LIMITS)
        errors.append((type(caught.value), str(caught.value)))

    assert errors[0] == errors[1] == (IngestError, NOT_FOUND)
    assert all(address == ("127.0.0.1", server.port) for address in connections)


def test_resolved_address_is_checked_even_when_the_name_looks_public(monkeypatch, connections):
    # getaddrinfo reads "2130706433" as 127.0.0.1 without asking a DNS server; sending a
    # public-looking name through that real lookup shows the resolved-address check alone.
    real_resolve = fetch.resolve
    monkeypatch.setattr(fetch, "resolve", lambda host, port: real_resolve("2130706433", port))

    with pytest.raises(IngestError) as caught:
        fetch_url("http://news.example/", **LIMITS)

    assert str(caught.value) == NOT_FOUND
    assert connections == []


def test_unknown_host_is_a_permanent_error(fake_dns):
    with pytest.raises(IngestError, match="couldn't find a public website") as caught:
        fetch_url("http://nowhere.example/", **LIMITS)

    assert not isinstance(caught.value, TransientFetchError)


def test_dns_outage_is_transient(monkeypatch):
    def failing_resolve(host, port):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(fetch, "resolve", failing_resolve)

    with pytest.raises(TransientFetchError, match="look up"):
        fetch_url("http://news.example/", **LIMITS)


# --- Limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/slow-body", "/slow-headers"])
def test_total_timeout_stops_a_slow_drip(server, path):
    started = time.monotonic()

    with pytest.raises(TransientFetchError) as caught:
        fetch_url(local(server, path), allow_private=True, **{**LIMITS, "total_timeout": 0.5})

    assert str(caught.value) == TIMED_OUT
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    "path", ["/huge-declared", "/huge-undeclared", "/chunked/3000000", "/gzip-bomb"]
)
def test_body_over_the_size_cap_is_refused(server, path):
    with pytest.raises(IngestError, match="too large") as caught:
        fetch_url(local(server, path), allow_private=True, **{**LIMITS, "max_bytes": 500_000})

    assert not isinstance(caught.value, TransientFetchError)
    assert "488 KB" in str(caught.value)


def test_wrong_content_type_is_refused(server):
    with pytest.raises(IngestError, match="image/png") as caught:
        fetch_url(local(server, "/image"), allow_private=True, **LIMITS)

    assert not isinstance(caught.value, TransientFetchError)


def test_missing_content_type_is_refused(server):
    with pytest.raises(IngestError, match="unknown type"):
        fetch_url(local(server, "/untyped"), allow_private=True, **LIMITS)


# --- HTTP errors and connection failures ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "wasn't found"),
        (410, "wasn't found"),
        (403, "refused access"),
        (401, "refused access"),
        (400, "unexpected response"),
        (304, "unexpected response"),
    ],
)
def test_permanent_http_errors(server, status, message):
    with pytest.raises(IngestError, match=message) as caught:
        fetch_url(local(server, f"/status/{status}"), allow_private=True, **LIMITS)

    assert not isinstance(caught.value, TransientFetchError)
    assert str(status) in str(caught.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_transient_http_errors(server, status):
    with pytest.raises(TransientFetchError, match=f"HTTP {status}"):
        fetch_url(local(server, f"/status/{status}"), allow_private=True, **LIMITS)


def test_connection_refused_is_transient():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    with pytest.raises(TransientFetchError, match="refused the connection"):
        fetch_url(f"http://127.0.0.1:{closed_port}/", allow_private=True, **LIMITS)


def test_connect_timeout_is_transient(public_dns, monkeypatch):
    def slow_connect(address, timeout):
        assert timeout == 0.25
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket, "create_connection", slow_connect)

    with pytest.raises(TransientFetchError) as caught:
        fetch_url("http://news.example/", **{**LIMITS, "connect_timeout": 0.25})

    assert str(caught.value) == TIMED_OUT


# --- HTTPS ------------------------------------------------------------------------------------


def test_https_verifies_the_hostname_while_connecting_to_the_pinned_address(
    tls_server, public_dns, connections, trust_test_certificate
):
    page = fetch_url(f"https://news.example:{tls_server.port}/host", **LIMITS)

    assert connections == [("127.0.0.1", tls_server.port)]
    assert tls_server.sni_names[-1] == "news.example"
    assert page.body == f"news.example:{tls_server.port}".encode()


def test_https_certificate_for_another_name_is_refused(
    tls_server, public_dns, trust_test_certificate
):
    with pytest.raises(IngestError, match="certificate") as caught:
        fetch_url(f"https://other.example:{tls_server.port}/host", **LIMITS)

    assert not isinstance(caught.value, TransientFetchError)


def test_https_untrusted_certificate_is_refused(tls_server, public_dns):
    with pytest.raises(IngestError, match="certificate") as caught:
        fetch_url(f"https://news.example:{tls_server.port}/host", **LIMITS)

    assert not isinstance(caught.value, TransientFetchError)
