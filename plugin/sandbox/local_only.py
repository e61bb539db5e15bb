"""Parts of the sandbox only the machine it runs on may use: the /_sandbox control levers and
the consent page.

The demo mounts the sandbox inside the shop (/amazon-sandbox), so without this check anyone who
can reach the shop could inject faults, revoke grants, read the request log or approve a
store's authorization on the seller's behalf.
"""
from __future__ import annotations

import ipaddress

from flask import request

# Set by a reverse proxy: behind one every request arrives from loopback, so the proxy's
# address says nothing about where the visitor is.
_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def is_loopback_host(host: str | None) -> bool:
    """True for "localhost" and loopback addresses (127.0.0.0/8, ::1, ::ffff:127.x.y.z)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # Python 3.11 does not call ::ffff:127.0.0.1 loopback
    return address.is_loopback


def from_this_machine() -> bool:
    if any(name in request.headers for name in _PROXY_HEADERS):
        return False
    return is_loopback_host(request.remote_addr)
