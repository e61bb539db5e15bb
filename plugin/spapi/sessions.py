"""The HTTP sessions the client opens to Amazon."""
from __future__ import annotations

from typing import Any

import requests
from requests.cookies import RequestsCookieJar
from requests.structures import CaseInsensitiveDict


class AmazonSession(requests.Session):
    """A ``requests.Session`` that skips merging what it does not have.

    For every request ``requests`` merges the session's cookies, auth, params, hooks and
    proxies into the request's through generic helpers (``merge_setting``: two runtime
    ``Protocol`` checks per mapping on Python 3.11); that was a fifth of the client's CPU
    per call. The client's own calls never carry cookies, auth, params or hooks, and its
    session has none: then the result of the merge is known, and is built directly. As
    soon as either side has one of them (a cookie Amazon set, a caller's own settings,
    ``trust_env`` switched back on), ``requests`` does the whole merge as usual.
    tests/test_spapi_client.py checks both paths prepare the same request.
    """

    def _nothing_to_merge(self, request: requests.Request) -> bool:
        return (not self.trust_env and not self.auth and not self.params and len(self.cookies) == 0
                and self.hooks.get("response") == [] and request.auth is None and not request.params
                and not request.cookies and isinstance(request.headers, dict))

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        if not self._nothing_to_merge(request):
            return super().prepare_request(request)
        # merge_setting's result: the session's headers, the request's over them, None removing one
        headers = CaseInsensitiveDict(self.headers)
        headers.update(request.headers)
        for key in [key for key, value in headers.items() if value is None]:
            del headers[key]
        prepared = requests.PreparedRequest()
        prepared.prepare(method=request.method.upper(), url=request.url, files=request.files, data=request.data,
                         json=request.json, headers=headers, params=None, auth=None, cookies=RequestsCookieJar(),
                         hooks=request.hooks)
        return prepared

    def merge_environment_settings(self, url, proxies, stream, verify, cert) -> dict[str, Any]:
        if self.trust_env or not isinstance(proxies, dict) or not isinstance(self.proxies, dict):
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        merged = {**self.proxies, **proxies}
        return {"proxies": {key: value for key, value in merged.items() if value is not None},
                "stream": self.stream if stream is None else stream,
                "verify": self.verify if verify is None else verify,
                "cert": self.cert if cert is None else cert}


def new_session(proxy: str | None = None) -> requests.Session:
    """A session that goes through ``proxy`` when given, else straight to Amazon.

    The environment is not consulted either way: its HTTPS_PROXY would
    otherwise win over a proxy set on the session (requests merges the
    environment's proxies first), and looking the variables up costs time on
    every call.
    """
    session = AmazonSession()
    session.trust_env = False
    if proxy:
        session.proxies = {"http": proxy, "https": proxy}
    return session
