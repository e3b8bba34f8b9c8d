"""The address a request came from, behind the reverse proxies named in the settings.

`X-Forwarded-For` is written by whoever sent the request: only a proxy we trust may have written
its last entries. The chain is read right to left, from the socket address, for at most
NUM_PROXIES hops, and only while the address reached so far is one of TRUSTED_PROXIES; the first
address that is not a trusted proxy is the client. A direct caller (not a trusted proxy) is
therefore always its socket address, whatever header it sends.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _is_trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(meta: Mapping[str, Any]) -> str:
    """The client's address for a request's META (WSGI environ)."""
    address = str(meta.get("REMOTE_ADDR", "") or "")
    hops = settings.NUM_PROXIES
    if not hops:
        return address
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    chain = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    chain = [part for part in chain if part]
    while hops and chain and _is_trusted(address, networks):
        address = chain.pop()
        hops -= 1
    return address


def request_address(request: Any) -> str:
    """`client_address` of a Django or DRF request (django-axes calls it with the request)."""
    return client_address(request.META)
