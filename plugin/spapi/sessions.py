"""The HTTP sessions the client opens to Amazon."""
from __future__ import annotations

import requests


def new_session(proxy: str | None = None) -> requests.Session:
    """A session that goes through ``proxy`` when given, else straight to Amazon.

    The environment is not consulted either way: its HTTPS_PROXY would
    otherwise win over a proxy set on the session (requests merges the
    environment's proxies first), and looking the variables up costs time on
    every call.
    """
    session = requests.Session()
    session.trust_env = False
    if proxy:
        session.proxies = {"http": proxy, "https": proxy}
    return session
