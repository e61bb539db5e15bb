"""The sandbox the demo mounts at /amazon-sandbox: its control API and consent page answer only the
demo's own machine, and the consent page sends the seller only to a registered redirect URI."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from conftest import make_app
from flask_amazon_tr.sandbox.seed import SANDBOX_APP_ID, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, TR_SELLER_ID

CONSENT = "/amazon-sandbox/apps/authorize/consent"
CALLBACK = "http://127.0.0.1:5000/admin/amazon/oauth/callback"
REMOTE = ["203.0.113.7", "10.0.0.5", "2001:db8::7", "::ffff:203.0.113.7"]
LOCAL = ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"]


@pytest.fixture
def demo(tmp_path):
    """The demo as `flask run` starts it: the local sandbox mounted in the shop's own process."""
    return make_app(tmp_path, AMAZON_TR_SANDBOX="local", DEMO_MOUNT_SANDBOX=True)


@pytest.fixture
def state(demo):
    return demo.extensions["amazon_tr"].extras["local_sandbox"]


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def consent_page(client, redirect_uri: str = CALLBACK, application_id: str = SANDBOX_APP_ID, **headers):
    return client.get(CONSENT, query_string={"application_id": application_id, "state": "st-1",
                                             "redirect_uri": redirect_uri}, headers=headers)


def nonce_of(response) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', response.get_data(as_text=True)).group(1)


# --- the control API ---------------------------------------------------------------------

@pytest.mark.parametrize("address", REMOTE)
def test_control_api_refuses_other_machines(demo, state, address):
    client = client_from(demo, address)
    assert client.get("/amazon-sandbox/_sandbox/state").status_code == 403
    assert client.get("/amazon-sandbox/_sandbox/requests").status_code == 403
    refused = client.post("/amazon-sandbox/_sandbox/faults", json={"operation": "*", "kind": "500"})
    assert refused.status_code == 403
    assert "only requests from this machine" in refused.get_json()["error"]
    assert client.post("/amazon-sandbox/_sandbox/revoke", json={"seller_id": TR_SELLER_ID}).status_code == 403
    assert client.post("/amazon-sandbox/_sandbox/reset").status_code == 403
    assert state.faults == []


@pytest.mark.parametrize("address", LOCAL)
def test_control_api_answers_this_machine(demo, state, address):
    client = client_from(demo, address)
    assert client.get("/amazon-sandbox/_sandbox/state").status_code == 200
    assert client.post("/amazon-sandbox/_sandbox/faults", json={"operation": "*", "kind": "500"}).status_code == 200
    assert len(state.faults) == 1


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
def test_control_api_refuses_what_a_proxy_relays(demo, state, header):
    """Behind a reverse proxy every request comes from loopback, whoever sent it."""
    client = client_from(demo, "127.0.0.1")
    response = client.get("/amazon-sandbox/_sandbox/state", headers={header: "203.0.113.7"})
    assert response.status_code == 403


# --- the consent page --------------------------------------------------------------------

@pytest.mark.parametrize("address", REMOTE)
def test_consent_page_refuses_other_machines(demo, state, address):
    page = consent_page(client_from(demo, address))
    assert page.status_code == 403
    assert "çalıştığı bilgisayardan açılabilir" in page.get_data(as_text=True)
    assert "Onayla" not in page.get_data(as_text=True)


def test_consent_approval_from_another_machine_issues_no_code(demo, state):
    """A nonce seen on this machine cannot be approved from another one."""
    nonce = nonce_of(consent_page(client_from(demo, "127.0.0.1")))
    remote = client_from(demo, "203.0.113.7").post(CONSENT, data={"nonce": nonce, "action": "approve"})
    assert remote.status_code == 403
    assert state.auth_codes == {}
    # the nonce is still good for the seller on this machine
    local = client_from(demo, "127.0.0.1").post(CONSENT, data={"nonce": nonce, "action": "approve"})
    assert local.status_code == 302


def test_consent_page_refuses_a_proxied_request(demo):
    assert consent_page(client_from(demo, "127.0.0.1"), **{"X-Forwarded-For": "203.0.113.7"}).status_code == 403


@pytest.mark.parametrize("redirect_uri", ["https://evil.example/cb", "http://evil.example:5000/admin/amazon/oauth/callback",
                                          "http://127.0.0.1.evil.example/cb", "http://localhost.evil.example/cb",
                                          "http://10.0.0.5/cb", "javascript:alert(1)", "//evil.example/cb"])
def test_seeded_app_without_registered_uris_redirects_only_to_this_machine(demo, state, redirect_uri):
    page = consent_page(client_from(demo, "127.0.0.1"), redirect_uri)
    assert page.status_code == 400
    assert "Onayla" not in page.get_data(as_text=True)
    assert state.consent_nonces == {}


@pytest.mark.parametrize("redirect_uri", [CALLBACK, "http://localhost/admin/amazon/oauth/callback",
                                          "http://[::1]:5000/admin/amazon/oauth/callback"])
def test_seeded_app_redirects_to_a_callback_on_this_machine(demo, redirect_uri):
    client = client_from(demo, "127.0.0.1")
    nonce = nonce_of(consent_page(client, redirect_uri))
    approved = client.post(CONSENT, data={"nonce": nonce, "action": "approve", "seller_id": TR_SELLER_ID})
    assert approved.status_code == 302
    location = approved.headers["Location"]
    assert location.startswith(redirect_uri + "?")
    assert dict(parse_qsl(urlsplit(location).query))["spapi_oauth_code"]


def test_registered_app_redirects_only_to_its_registered_uris(demo, state):
    app_id = "amzn1.sp.solution.registered-0001"
    state.register_app(app_id, client_id="client-reg", client_secret="secret-reg",
                       redirect_uris=["https://shop.example/admin/amazon/oauth/callback"])
    client = client_from(demo, "127.0.0.1")
    for other in (CALLBACK, "https://shop.example/admin/amazon/oauth/callback/../evil",
                  "https://shop.example/admin/amazon/oauth/callback?next=https://evil.example",
                  "https://evil.example/admin/amazon/oauth/callback"):
        refused = consent_page(client, other, application_id=app_id)
        assert refused.status_code == 400 and "kayıtlı değil" in refused.get_data(as_text=True), other
    nonce = nonce_of(consent_page(client, "https://shop.example/admin/amazon/oauth/callback", application_id=app_id))
    denied = client.post(CONSENT, data={"nonce": nonce, "action": "deny"})
    assert denied.headers["Location"].startswith("https://shop.example/admin/amazon/oauth/callback?")


def test_token_endpoint_stays_open_to_the_shop(demo):
    """The plugin exchanges codes over HTTP like with Amazon: no machine check there (secrets guard it)."""
    response = client_from(demo, "203.0.113.7").post("/amazon-sandbox/auth/o2/token", data={
        "grant_type": "refresh_token", "refresh_token": "Atzr|unknown", "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET})
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_grant"
