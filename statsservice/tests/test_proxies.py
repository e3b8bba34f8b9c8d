"""statsservice.proxies: X-Forwarded-For read only from trusted proxies, right to left."""

import pytest

from statsservice.proxies import client_address


@pytest.fixture
def proxied(settings):
    settings.NUM_PROXIES = 2
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def meta(remote: str, forwarded: str | None = None) -> dict[str, str]:
    values = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        values["HTTP_X_FORWARDED_FOR"] = forwarded
    return values


def test_without_proxies_it_is_the_socket_address(settings):
    settings.NUM_PROXIES = 0
    assert client_address(meta("127.0.0.1", "203.0.113.1")) == "127.0.0.1"


def test_it_reads_right_to_left_and_stops_at_the_first_untrusted_address(proxied):
    # A client-written first entry is never reached: the proxies appended the real hops.
    assert client_address(meta("127.0.0.1", "1.1.1.1, 203.0.113.9, 10.2.2.2")) == "203.0.113.9"
    assert client_address(meta("127.0.0.1", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"


def test_it_reads_at_most_num_proxies_hops(proxied):
    assert client_address(meta("127.0.0.1", "203.0.113.9, 10.3.3.3, 10.2.2.2")) == "10.3.3.3"


def test_an_untrusted_socket_address_is_the_client_whatever_it_forwards(proxied):
    assert client_address(meta("198.51.100.4", "10.0.0.1, 127.0.0.1")) == "198.51.100.4"


def test_junk_in_the_header_ends_the_walk(proxied):
    assert client_address(meta("127.0.0.1", "203.0.113.9, not-an-ip")) == "not-an-ip"
    assert client_address(meta("127.0.0.1", " , ")) == "127.0.0.1"
