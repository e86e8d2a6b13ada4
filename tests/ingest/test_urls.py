"""URL validation and the address policy: crafted URLs are refused before any DNS lookup or
connection, public ones come back normalised."""

import ipaddress
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.ingest import IngestError, TransientFetchError, fetch_url, validate_public_url
from claims.ingest.fetch import BLOCKED_ADDRESS, _parse_ipv4, is_blocked

LIMITS = {"max_bytes": 1_000_000, "connect_timeout": 1.0, "total_timeout": 2.0}

SCHEME = "Only web addresses starting with http:// or https:// can be fetched."
LOGIN = "Web addresses with a login (user:password@) can't be fetched."
INVALID = "That doesn't look like a valid web address."
SPACES = "That web address contains spaces or line breaks. Remove them and try again."

CRAFTED_URLS = [
    ("ftp://example.com/file.txt", SCHEME),
    ("file:///etc/passwd", SCHEME),
    ("javascript:alert(document.cookie)", SCHEME),
    ("gopher://example.com:70/_GET", SCHEME),
    ("data:text/html,<p>hi</p>", SCHEME),
    ("example.com/article", SCHEME),
    ("//example.com/article", SCHEME),
    ("http://localhost/", BLOCKED_ADDRESS),
    ("http://LOCALHOST:8000/admin", BLOCKED_ADDRESS),
    ("http://localhost./", BLOCKED_ADDRESS),
    ("http://api.localhost/", BLOCKED_ADDRESS),
    ("http://printer.local/", BLOCKED_ADDRESS),
    ("http://metadata.google.internal/", BLOCKED_ADDRESS),
    ("http://intranet/", BLOCKED_ADDRESS),
    ("http://127.0.0.1/", BLOCKED_ADDRESS),
    ("http://127.0.0.1:8000/", BLOCKED_ADDRESS),
    ("http://127.1/", BLOCKED_ADDRESS),
    ("http://2130706433/", BLOCKED_ADDRESS),
    ("http://0x7f000001/", BLOCKED_ADDRESS),
    ("http://0x7f.0x0.0x0.0x1/", BLOCKED_ADDRESS),
    ("http://0177.0.0.1/", BLOCKED_ADDRESS),
    ("http://017700000001/", BLOCKED_ADDRESS),
    ("http://127.0.0.1./", BLOCKED_ADDRESS),
    # Full-width digits and an ideographic full stop, which IDNA maps to "127.0.0.1".
    ("http://\uff11\uff12\uff17\u3002\uff10.\uff10\uff0e\uff11/", BLOCKED_ADDRESS),
    ("http://[::1]/", BLOCKED_ADDRESS),
    ("http://[::ffff:127.0.0.1]/", BLOCKED_ADDRESS),
    ("http://[::ffff:7f00:1]/", BLOCKED_ADDRESS),
    ("http://[::127.0.0.1]/", BLOCKED_ADDRESS),  # IPv4-compatible
    ("http://[::ffff:169.254.169.254]/", BLOCKED_ADDRESS),
    ("http://[64:ff9b::a9fe:a9fe]/", BLOCKED_ADDRESS),  # NAT64 of 169.254.169.254
    ("http://[2002:a00:1::]/", BLOCKED_ADDRESS),  # 6to4 of 10.0.0.1
    ("http://[2001::1]/", BLOCKED_ADDRESS),  # Teredo
    ("http://169.254.169.254/latest/meta-data", BLOCKED_ADDRESS),
    ("http://10.0.0.1/", BLOCKED_ADDRESS),
    ("http://192.168.1.1/", BLOCKED_ADDRESS),
    ("http://172.16.0.1/", BLOCKED_ADDRESS),
    ("http://100.64.0.1/", BLOCKED_ADDRESS),
    ("http://0.0.0.0/", BLOCKED_ADDRESS),
    ("http://0/", BLOCKED_ADDRESS),
    ("http://255.255.255.255/", BLOCKED_ADDRESS),
    ("http://192.0.2.1/", BLOCKED_ADDRESS),
    ("http://224.0.0.1/", BLOCKED_ADDRESS),
    ("http://[ff02::1]/", BLOCKED_ADDRESS),
    ("http://[fe80::1]/", BLOCKED_ADDRESS),
    ("http://[fec0::1]/", BLOCKED_ADDRESS),
    ("http://[fc00::1]/", BLOCKED_ADDRESS),
    ("http://[::]/", BLOCKED_ADDRESS),
    ("http://user:pw@example.com/", LOGIN),
    ("http://user@example.com/", LOGIN),
    ("http://example.com@127.0.0.1/", LOGIN),
    ("http://[fe80::1%25eth0]/", INVALID),
    ("http://[::1/", INVALID),
    ("http://example.com:99999/", INVALID),
    ("http://example.com:0/", INVALID),
    ("http://example.com:port/", INVALID),
    ("http:///article", INVALID),
    ("http://1.2.3.4.5/", INVALID),
    ("http://256.0.0.1/", INVALID),
    ("http://08.0.0.1/", INVALID),
    ("http://exa$mple.com/", INVALID),
    ("http://%31%32%37.0.0.1/", INVALID),
    ("http://%6c%6fcalhost/", INVALID),
    ("http://-example.com/", INVALID),
    ("http://example..com/", INVALID),
    ("http://" + "a" * 64 + ".com/", INVALID),
    ("http://example.com/" + "a" * 3000, "too long"),
    ("http://exa mple.com/", SPACES),
    ("http://example.com/a b", SPACES),
    ("http://example.com/\r\nHost: 127.0.0.1", SPACES),
    ("http://exa\nmple.com/", SPACES),
    ("http://example.com\t/", SPACES),
    ("http://example.com/\x00", SPACES),
    ("", "Enter the web address"),
    ("   ", "Enter the web address"),
]


@pytest.mark.parametrize(("url", "message"), CRAFTED_URLS)
def test_crafted_url_is_refused_by_validation(no_network, url, message):
    with pytest.raises(IngestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_public_url(url)


@pytest.mark.parametrize(("url", "message"), CRAFTED_URLS)
def test_crafted_url_is_refused_by_fetch_without_network(no_network, url, message):
    with pytest.raises(IngestError) as caught:
        fetch_url(url, **LIMITS)

    assert message in str(caught.value)
    assert not isinstance(caught.value, TransientFetchError)


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://example.com/news?id=1", "https://example.com/news?id=1"),
        ("  https://example.com/news  ", "https://example.com/news"),
        ("HTTP://Example.COM", "http://example.com/"),
        ("http://example.com./a", "http://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#section", "https://example.com/a"),
        ("https://bücher.example/straße?q=ü", "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BC"),
        ("https://example.com/already%20escaped", "https://example.com/already%20escaped"),
        ("http://8.8.8.8/", "http://8.8.8.8/"),
        ("http://0x08080808/", "http://8.8.8.8/"),
        ("http://134744072/", "http://8.8.8.8/"),
        ("http://[2606:4700:4700::1111]/", "http://[2606:4700:4700::1111]/"),
        ("http://[::ffff:8.8.8.8]/", "http://[::ffff:808:808]/"),
        ("http://sub_domain.example.org/", "http://sub_domain.example.org/"),
    ],
)
def test_public_url_is_accepted_and_normalised(no_network, url, normalised):
    assert validate_public_url(url) == normalised


def test_allow_private_lets_local_addresses_through_validation(no_network):
    assert validate_public_url("http://localhost:8000/a", allow_private=True) == (
        "http://localhost:8000/a"
    )
    assert validate_public_url("http://127.1/", allow_private=True) == "http://127.0.0.1/"


def test_allow_private_keeps_the_other_rules(no_network):
    for url in ("file:///etc/passwd", "http://user:pw@localhost/"):
        with pytest.raises(IngestError):
            validate_public_url(url, allow_private=True)


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("8.8.8.8", False),
        ("93.184.216.34", False),
        ("2606:4700:4700::1111", False),
        ("::ffff:8.8.8.8", False),
        ("64:ff9b::808:808", False),
        ("2002:808:808::1", False),
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("10.1.2.3", True),
        ("172.31.255.255", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("100.127.255.255", True),
        ("0.0.0.0", True),  # noqa: S104 (an address under test, not a bind)
        ("198.18.0.1", True),
        ("224.0.0.251", True),
        ("239.255.255.250", True),
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("::", True),
        ("::1", True),
        ("::ffff:10.0.0.1", True),
        ("::10.0.0.1", True),
        ("64:ff9b::a00:1", True),
        ("2002:c0a8:101::1", True),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True),
        ("2001:db8::1", True),
        ("fc00::1", True),
        ("fd12:3456::1", True),
        ("fe80::1", True),
        ("fec0::1", True),
        ("ff02::1", True),
        ("ff0e::1", True),
    ],
)
def test_is_blocked(address, blocked):
    assert is_blocked(ipaddress.ip_address(address)) is blocked


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_ipv4_mapped_address_gets_the_same_verdict_as_the_ipv4_one(number):
    ipv4 = ipaddress.IPv4Address(number)
    mapped = ipaddress.IPv6Address(f"::ffff:{ipv4}")

    assert is_blocked(mapped) is is_blocked(ipv4)


@given(
    st.sampled_from(["10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
                     "192.168.0.0/16", "100.64.0.0/10", "0.0.0.0/8", "224.0.0.0/4"]),
    st.integers(min_value=0, max_value=2**32 - 1),
)  # fmt: skip
def test_every_address_in_a_private_range_is_blocked(network, number):
    network = ipaddress.ip_network(network)
    address = network[number % network.num_addresses]

    assert is_blocked(address)


_numeric_label = st.one_of(
    st.integers(0, 2**32 - 1).map(str),
    st.integers(0, 2**32 - 1).map(lambda n: "0" + format(n, "o")),
    st.integers(0, 2**32 - 1).map(lambda n: "0x" + format(n, "x")),
    st.integers(0, 255).map(str),
)


@given(st.lists(_numeric_label, min_size=1, max_size=4))
def test_numeric_hosts_are_read_as_the_system_resolver_reads_them(labels):
    host = ".".join(labels)
    try:
        expected = ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        expected = None

    assert _parse_ipv4(labels) == expected
