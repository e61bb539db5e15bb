"""Pytest fixtures that run the local Amazon on real loopback HTTP.

Loaded from tests/conftest.py (``pytest_plugins = ["sandbox_fixtures"]``).
Names are shared with the rest of the test suite: keep them stable.
"""
from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from flask_amazon_tr.clock import SimulatedClock
from flask_amazon_tr.sandbox import SandboxServer, SandboxState
from flask_amazon_tr.sandbox.seed import (SANDBOX_APP_ID, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET,
                                 TR_SELLER_ID)

# A fixed start keeps simulated-time tests reproducible: 2026-03-02T09:00:00Z.
SIM_START = 1772442000.0


@pytest.fixture
def sim_clock() -> SimulatedClock:
    return SimulatedClock(start=SIM_START)


@pytest.fixture
def require_models() -> None:
    """Skip (fail under CI) a test that needs Amazon's model files."""
    from flask_amazon_tr.sandbox.models import default_models_dir

    where = default_models_dir()
    if not (where / "sellers-v1.json").is_file():
        message = (f"SP-API models not found at {where}; set AMAZON_TR_MODELS_DIR to the "
                   "sp-api-models folder")
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def _serve(state: SandboxState):
    """Run a sandbox for one test; afterwards, fail the test if any answer broke Amazon's models."""
    server = SandboxServer(state=state)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    _assert_responses_matched_models(server)


def _seller_session(server):
    tokens = authorize_over_http(server.url)
    with requests.Session() as s:
        s.headers["x-amz-access-token"] = tokens["access_token"]
        s.tokens = tokens  # type: ignore[attr-defined]
        yield s


@pytest.fixture
def sandbox():
    """A started sandbox on the real clock; yields the SandboxServer."""
    yield from _serve(SandboxState())


@pytest.fixture
def sim_sandbox(sim_clock):
    """A started sandbox whose time only moves with ``sim_clock``."""
    yield from _serve(SandboxState(clock=sim_clock))


def _assert_responses_matched_models(server: SandboxServer) -> None:
    # the sandbox checks each of its SP-API responses against Amazon's model;
    # a mismatch is a sandbox bug, so every test using it doubles as a check
    problems = server.state.response_problems
    assert not problems, f"sandbox responses broke the SP-API models: {problems[:3]}"


def consent_code(base_url: str, *, seller_id: str = TR_SELLER_ID, state: str = "st-1",
                 redirect_uri: str = "http://127.0.0.1/amazon/callback",
                 application_id: str = SANDBOX_APP_ID) -> dict:
    """Walk the consent page like a seller pressing Onayla; returns the
    redirect's query parameters (state, selling_partner_id, spapi_oauth_code)."""
    page = requests.get(f"{base_url}/apps/authorize/consent", params={
        "application_id": application_id, "state": state, "redirect_uri": redirect_uri,
        "version": "beta"}, timeout=10)
    page.raise_for_status()
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
    resp = requests.post(f"{base_url}/apps/authorize/consent", data={
        "nonce": nonce, "seller_id": seller_id, "action": "approve"},
        allow_redirects=False, timeout=10)
    assert resp.status_code == 302, resp.text
    return dict(parse_qsl(urlsplit(resp.headers["Location"]).query))


def exchange_code(base_url: str, code: str) -> dict:
    resp = requests.post(f"{base_url}/auth/o2/token", data={
        "grant_type": "authorization_code", "code": code, "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET}, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()


def authorize_over_http(base_url: str, seller_id: str = TR_SELLER_ID) -> dict:
    """Consent plus code exchange: the LWA token response for ``seller_id``."""
    return exchange_code(base_url, consent_code(base_url, seller_id=seller_id)["spapi_oauth_code"])


class SandboxHelpers:
    """The helpers above as a fixture, so test modules need not import this
    plugin module (which would stop pytest from rewriting its asserts)."""
    consent_code = staticmethod(consent_code)
    exchange_code = staticmethod(exchange_code)
    authorize_over_http = staticmethod(authorize_over_http)


@pytest.fixture
def sandbox_helpers() -> type[SandboxHelpers]:
    return SandboxHelpers


@pytest.fixture
def sandbox_session(sandbox):
    """A requests.Session against ``sandbox`` carrying a TR seller access token."""
    yield from _seller_session(sandbox)


@pytest.fixture
def sim_session(sim_sandbox):
    """Like ``sandbox_session`` but against ``sim_sandbox``."""
    yield from _seller_session(sim_sandbox)


@pytest.fixture
def prefixed_sandbox():
    """A sandbox mounted under /amazon-sandbox of a host app, as the demo mounts it
    (plugin/local_sandbox.py); yields the SandboxServer, whose ``url`` includes the prefix."""
    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from flask_amazon_tr.sandbox import create_sandbox_app

    sandbox_app = create_sandbox_app(SandboxState())
    host = Flask("host-shop")
    host.wsgi_app = DispatcherMiddleware(host.wsgi_app, {"/amazon-sandbox": sandbox_app})
    host.extensions["amazon_tr_sandbox"] = sandbox_app.extensions["amazon_tr_sandbox"]
    server = SandboxServer(host)
    server.start()
    server.url = server.url + "/amazon-sandbox"
    try:
        yield server
    finally:
        server.stop()
    _assert_responses_matched_models(server)
