"""The real SP-API client on a canned HTTP transport, for tests that need no server.

Tests drive the client through a fake transport instead of mocking its
methods; requests and answers stay real HTTP objects of ``requests``.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from flask_amazon_tr.clock import SimulatedClock
from flask_amazon_tr.spapi import LWA_TOKEN_URL, SPAPI_ENDPOINT_EU, LWAClient, SPAPIClient


@dataclass
class Sent:
    method: str
    url: str
    headers: CaseInsensitiveDict
    body: bytes | None
    timeout: Any

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query, keep_blank_values=True))

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def form(self) -> dict[str, str]:
        text = self.body.decode() if isinstance(self.body, bytes) else (self.body or "")
        return dict(parse_qsl(text, keep_blank_values=True))


def reply(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> tuple:
    """A canned answer: dicts and lists become JSON, bytes and str go as they are."""
    return (status, body, headers or {})


def token_reply(access_token: str = "Atza|fake-access", expires_in: int = 3600, **extra: Any) -> tuple:
    return reply(200, {"access_token": access_token, "token_type": "bearer", "expires_in": expires_in, **extra})


class FakeTransport(BaseAdapter):
    """A requests adapter that answers from a handler instead of the network.

    ``handler(sent)`` returns ``(status, body[, headers])`` or an exception
    instance to raise (e.g. ``requests.ConnectTimeout()``).
    """

    def __init__(self, handler: Callable[[Sent], Any]) -> None:
        super().__init__()
        self.handler = handler
        self.sent: list[Sent] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        sent = Sent(request.method, request.url, CaseInsensitiveDict(request.headers), body, timeout)
        self.sent.append(sent)
        result = self.handler(sent)
        if isinstance(result, BaseException):
            raise result
        status, payload, *rest = result
        headers = dict(rest[0]) if rest else {}
        if isinstance(payload, (dict, list)):
            content = json.dumps(payload).encode("utf-8")
            headers.setdefault("content-type", "application/json")
        elif isinstance(payload, str):
            content = payload.encode("utf-8")
        else:
            content = payload or b""
        response = requests.Response()
        response.status_code = status
        response._content = content
        response.headers = CaseInsensitiveDict(headers)
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        response.reason = "canned"
        return response

    def close(self) -> None:
        pass


def fake_session(handler: Callable[[Sent], Any]) -> tuple[requests.Session, FakeTransport]:
    session = requests.Session()
    transport = FakeTransport(handler)
    session.mount("http://", transport)
    session.mount("https://", transport)
    return session, transport


def canned_client(handler: Callable[[Sent], Any], *, clock: Any = None, endpoint: str = SPAPI_ENDPOINT_EU,
                  seller_id: str | None = "A1SELLERTR", **options: Any):
    """An SPAPIClient and its LWAClient on one FakeTransport.

    Token requests are answered with a fresh access token unless ``handler``
    answers them itself (it sees every request; return ``None`` to fall back).
    Returns ``(client, transport, clock)``.
    """
    clock = clock or SimulatedClock(start=1_767_225_600.0)

    def route(sent: Sent):
        result = handler(sent)
        if result is None and sent.url.startswith(LWA_TOKEN_URL):
            return token_reply()
        if result is None:
            return reply(404, {"errors": [{"code": "NotFound", "message": "no canned answer"}]})
        return result

    session, transport = fake_session(route)
    lwa = LWAClient(token_url=LWA_TOKEN_URL, client_id="amzn1.application-oa2-client.test",
                    client_secret="test-secret", session=session, clock=clock)
    options.setdefault("random", random.Random(1234))
    client = SPAPIClient(endpoint=endpoint, lwa=lwa, refresh_token="Atzr|test-refresh", seller_id=seller_id,
                         session=session, clock=clock, **options)
    return client, transport, clock
