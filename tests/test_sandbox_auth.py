"""Consent page and LWA token endpoint of the local Amazon."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import requests

from flask_amazon_tr.sandbox.seed import (NON_TR_SELLER_ID, SANDBOX_APP_ID, SANDBOX_CLIENT_ID,
                                 SANDBOX_CLIENT_SECRET, TR_SELLER_ID)

pytest_plugins = ["sandbox_fixtures"]

CB = "http://127.0.0.1:5000/amazon/callback"


def _token(url, **data):
    base = {"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET}
    return requests.post(f"{url}/auth/o2/token", data={**base, **data}, timeout=10)


def test_consent_page_is_turkish_and_defaults_to_tr_seller(sandbox):
    r = requests.get(f"{sandbox.url}/apps/authorize/consent", params={
        "application_id": SANDBOX_APP_ID, "state": "abc", "redirect_uri": CB, "version": "beta"})
    assert r.status_code == 200
    assert "Onayla" in r.text and "Reddet" in r.text
    selected = re.search(r'<option value="([^"]+)" selected>', r.text)
    assert selected and selected.group(1) == TR_SELLER_ID
    assert "Anadolu Çarşı" in r.text


def test_approve_redirects_with_state_seller_and_code(sandbox, sandbox_helpers):
    q = sandbox_helpers.consent_code(sandbox.url, seller_id=NON_TR_SELLER_ID, state="xyz-42", redirect_uri=CB)
    assert q["state"] == "xyz-42"
    assert q["selling_partner_id"] == NON_TR_SELLER_ID
    assert len(q["spapi_oauth_code"]) >= 16


def test_deny_redirects_with_access_denied(sandbox):
    page = requests.get(f"{sandbox.url}/apps/authorize/consent", params={
        "application_id": SANDBOX_APP_ID, "state": "s9", "redirect_uri": CB + "?x=1"})
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
    r = requests.post(f"{sandbox.url}/apps/authorize/consent",
                      data={"nonce": nonce, "action": "deny"}, allow_redirects=False)
    assert r.status_code == 302
    loc = r.headers["Location"]
    assert loc.startswith(CB + "?x=1&") and "state=s9" in loc and "error=access_denied" in loc
    assert "spapi_oauth_code" not in loc


def test_consent_nonce_is_single_use(sandbox):
    page = requests.get(f"{sandbox.url}/apps/authorize/consent", params={
        "application_id": SANDBOX_APP_ID, "state": "s", "redirect_uri": CB})
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
    first = requests.post(f"{sandbox.url}/apps/authorize/consent",
                          data={"nonce": nonce, "action": "approve"}, allow_redirects=False)
    again = requests.post(f"{sandbox.url}/apps/authorize/consent",
                          data={"nonce": nonce, "action": "approve"}, allow_redirects=False)
    assert first.status_code == 302
    assert again.status_code == 400


def test_unknown_application_shows_error_page(sandbox):
    r = requests.get(f"{sandbox.url}/apps/authorize/consent", params={
        "application_id": "amzn1.sp.solution.nope", "state": "s", "redirect_uri": CB})
    assert r.status_code == 404
    assert "Uygulama bulunamadı" in r.text and "Onayla" not in r.text


def test_code_exchange_gives_refresh_and_access_token(sandbox, sandbox_helpers):
    q = sandbox_helpers.consent_code(sandbox.url)
    body = sandbox_helpers.exchange_code(sandbox.url, q["spapi_oauth_code"])
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["refresh_token"].startswith("Atzr|") and body["access_token"].startswith("Atza|")
    r = requests.get(f"{sandbox.url}/sellers/v1/marketplaceParticipations",
                     headers={"x-amz-access-token": body["access_token"]})
    assert r.status_code == 200


def test_code_is_single_use(sandbox, sandbox_helpers):
    code = sandbox_helpers.consent_code(sandbox.url)["spapi_oauth_code"]
    assert _token(sandbox.url, grant_type="authorization_code", code=code).status_code == 200
    again = _token(sandbox.url, grant_type="authorization_code", code=code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_code_expires_after_five_minutes(sim_sandbox, sim_clock, sandbox_helpers):
    fresh = sandbox_helpers.consent_code(sim_sandbox.url)["spapi_oauth_code"]
    stale = sandbox_helpers.consent_code(sim_sandbox.url)["spapi_oauth_code"]
    sim_clock.advance(299)
    assert _token(sim_sandbox.url, grant_type="authorization_code", code=fresh).status_code == 200
    sim_clock.advance(2)
    r = _token(sim_sandbox.url, grant_type="authorization_code", code=stale)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_refresh_grant_gives_new_access_token(sandbox, sandbox_helpers):
    tokens = sandbox_helpers.authorize_over_http(sandbox.url)
    r = _token(sandbox.url, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert r.status_code == 200
    body = r.json()
    assert body["access_token"] != tokens["access_token"] and body["expires_in"] == 3600


def test_access_token_expires_after_an_hour(sim_sandbox, sim_clock, sandbox_helpers):
    tokens = sandbox_helpers.authorize_over_http(sim_sandbox.url)
    h = {"x-amz-access-token": tokens["access_token"]}
    url = f"{sim_sandbox.url}/sellers/v1/marketplaceParticipations"
    assert requests.get(url, headers=h).status_code == 200
    sim_clock.advance(3601)
    r = requests.get(url, headers=h)
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "Unauthorized"


def test_token_errors(sandbox, sandbox_helpers):
    tokens = sandbox_helpers.authorize_over_http(sandbox.url)
    bad_secret = requests.post(f"{sandbox.url}/auth/o2/token", data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
        "client_id": SANDBOX_CLIENT_ID, "client_secret": "wrong"})
    # LWA refuses the client with 401, as integrators quote it (jlevers/selling-partner-api#602)
    assert bad_secret.status_code == 401 and bad_secret.json() == {
        "error": "invalid_client", "error_description": "Client authentication failed"}
    unknown = _token(sandbox.url, grant_type="refresh_token", refresh_token="Atzr|nope")
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_grant"
    grant = _token(sandbox.url, grant_type="client_credentials")
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    missing = _token(sandbox.url, grant_type="authorization_code")
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    as_json = requests.post(f"{sandbox.url}/auth/o2/token", json={"grant_type": "refresh_token"})
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    for r in (bad_secret, unknown, grant, missing):
        assert r.json()["error_description"]


def test_revoke_over_control_api_makes_refresh_fail(sandbox, sandbox_helpers):
    tokens = sandbox_helpers.authorize_over_http(sandbox.url)
    other = sandbox_helpers.authorize_over_http(sandbox.url)
    r = requests.post(f"{sandbox.url}/_sandbox/revoke", json={"refresh_token": tokens["refresh_token"]})
    assert r.json() == {"revoked": 1}
    gone = _token(sandbox.url, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert gone.status_code == 400 and gone.json()["error"] == "invalid_grant"
    assert _token(sandbox.url, grant_type="refresh_token",
                  refresh_token=other["refresh_token"]).status_code == 200
    # the revoked authorization's access token stops working too
    r = requests.get(f"{sandbox.url}/sellers/v1/marketplaceParticipations",
                     headers={"x-amz-access-token": tokens["access_token"]})
    assert r.status_code == 403


def test_revoke_by_seller_in_process(sandbox, sandbox_helpers):
    tokens = sandbox_helpers.authorize_over_http(sandbox.url)
    assert sandbox.state.revoke(seller_id=TR_SELLER_ID) >= 1
    r = _token(sandbox.url, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert r.json()["error"] == "invalid_grant"


def test_token_endpoint_log_holds_no_secrets(sandbox, sandbox_helpers):
    tokens = sandbox_helpers.authorize_over_http(sandbox.url)
    _token(sandbox.url, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    log = requests.get(f"{sandbox.url}/_sandbox/requests").json()
    text = repr(log)
    assert log["counts"]["lwaToken"] == 2
    assert tokens["refresh_token"] not in text and SANDBOX_CLIENT_SECRET not in text


# --- issue 14: the client secret, private applications, self-authorization, Manage Your Apps ---------


def test_an_expired_client_secret_is_refused_until_rotated_and_grants_survive(sandbox, sandbox_helpers):
    tokens = sandbox_helpers.authorize_over_http(sandbox.url)
    assert requests.post(f"{sandbox.url}/_sandbox/client-secret", json={"action": "expire"}).json() == {"expired": True}
    expired = _token(sandbox.url, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert expired.status_code == 401 and expired.json()["error"] == "invalid_client"
    code = sandbox_helpers.consent_code(sandbox.url)["spapi_oauth_code"]
    assert _token(sandbox.url, grant_type="authorization_code", code=code).status_code == 401
    new_secret = requests.post(f"{sandbox.url}/_sandbox/client-secret", json={"action": "rotate"}).json()["client_secret"]
    assert new_secret != SANDBOX_CLIENT_SECRET
    # the seller's refresh token works with the new secret: nobody authorizes again
    fresh = requests.post(f"{sandbox.url}/auth/o2/token", data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
        "client_id": SANDBOX_CLIENT_ID, "client_secret": new_secret}, timeout=10)
    assert fresh.status_code == 200 and fresh.json()["access_token"].startswith("Atza|")
    assert _token(sandbox.url, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).status_code == 401
    assert requests.post(f"{sandbox.url}/_sandbox/client-secret", json={"action": "wait"}).status_code == 400


def test_a_private_application_has_no_consent_page(sandbox):
    sandbox.state.register_app("amzn1.sp.solution.private-1", client_id="amzn1.application-oa2-client.private1",
                               client_secret="s3cret", name="Kendi Uygulamamız")
    sandbox.state.apps["amzn1.sp.solution.private-1"]["private"] = True
    r = requests.get(f"{sandbox.url}/apps/authorize/consent", params={
        "application_id": "amzn1.sp.solution.private-1", "state": "s", "redirect_uri": CB}, timeout=10)
    assert r.status_code == 400 and "özel (private)" in r.text and "Onayla" not in r.text


def test_self_authorization_shows_a_refresh_token_that_works(sandbox):
    page = requests.get(f"{sandbox.url}/apps/develop", timeout=10)
    assert page.status_code == 200 and "Uygulamayı yetkilendir" in page.text
    shown = requests.post(f"{sandbox.url}/apps/develop", data={
        "application_id": SANDBOX_APP_ID, "seller_id": TR_SELLER_ID}, timeout=10)
    token = re.search(r'<code id="refresh-token">([^<]+)</code>', shown.text).group(1)
    assert token.startswith("Atzr|") and token in sandbox.state.refresh_tokens
    assert shown.headers["Cache-Control"] == "no-store"
    r = _token(sandbox.url, grant_type="refresh_token", refresh_token=token)
    assert r.status_code == 200
    by_control = requests.post(f"{sandbox.url}/_sandbox/self-authorize", json={"seller_id": NON_TR_SELLER_ID})
    assert by_control.status_code == 201
    assert sandbox.state.refresh_tokens[by_control.json()["refresh_token"]]["seller_id"] == NON_TR_SELLER_ID
    assert requests.post(f"{sandbox.url}/_sandbox/self-authorize", json={"seller_id": "A9NOSUCHSELLER"}).status_code == 404


def _reauthorize_from_manage_your_apps(url, login_uri, seller_id=TR_SELLER_ID):
    page = requests.get(f"{url}/apps/manage", params={"login_uri": login_uri}, timeout=10)
    assert page.status_code == 200 and "Yeniden yetkilendir" in page.text
    r = requests.post(f"{url}/apps/manage", data={"application_id": SANDBOX_APP_ID, "seller_id": seller_id,
                                                   "login_uri": login_uri, "action": "reauthorize"},
                      allow_redirects=False, timeout=10)
    assert r.status_code == 302
    return r.headers["Location"]


def test_manage_your_apps_loads_the_log_in_uri_and_the_callback_gives_a_code(sandbox, sandbox_helpers):
    login_uri = "http://127.0.0.1:5000/admin/amazon/oauth/login"
    location = _reauthorize_from_manage_your_apps(sandbox.url, login_uri)
    assert location.startswith(login_uri + "?")
    query = dict(parse_qsl(urlsplit(location).query))
    assert query["selling_partner_id"] == TR_SELLER_ID and len(query["amazon_state"]) >= 16
    assert query["amazon_callback_uri"] == f"{sandbox.url}/apps/authorize/confirm/{SANDBOX_APP_ID}"
    # the application sends the seller back with its redirect URI, Amazon's state and its own state
    back = requests.get(query["amazon_callback_uri"], params={
        "redirect_uri": CB, "amazon_state": query["amazon_state"], "state": "ours-1"}, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    answer = dict(parse_qsl(urlsplit(back.headers["Location"]).query))
    assert back.headers["Location"].startswith(CB + "?")
    assert answer["state"] == "ours-1" and answer["selling_partner_id"] == TR_SELLER_ID
    assert sandbox_helpers.exchange_code(sandbox.url, answer["spapi_oauth_code"])["refresh_token"].startswith("Atzr|")
    # amazon_state is single use
    again = requests.get(query["amazon_callback_uri"], params={
        "redirect_uri": CB, "amazon_state": query["amazon_state"], "state": "ours-2"}, allow_redirects=False, timeout=10)
    assert again.status_code == 400 and "amazon_state" in again.text


def test_the_log_in_uri_flow_refuses_what_amazon_refuses(sandbox):
    # a Log-in URI elsewhere than this machine is not the seeded app's (it registers none)
    page = requests.get(f"{sandbox.url}/apps/manage", params={"login_uri": "https://evil.example/login"}, timeout=10)
    assert "Log-in URI kayıtlı değil" in page.text and "Yeniden yetkilendir" not in page.text
    location = _reauthorize_from_manage_your_apps(sandbox.url, "http://127.0.0.1:5000/login")
    query = dict(parse_qsl(urlsplit(location).query))
    for params in ({"redirect_uri": "https://evil.example/cb", "amazon_state": query["amazon_state"]},
                   {"redirect_uri": CB, "amazon_state": "forged"}):
        r = requests.get(query["amazon_callback_uri"], params=params, allow_redirects=False, timeout=10)
        assert r.status_code == 400 and "Location" not in r.headers


def test_a_seller_can_stop_taking_part_in_amazon_com_tr(sandbox_session, sandbox):
    url = f"{sandbox.url}/sellers/v1/marketplaceParticipations"
    [tr] = sandbox_session.get(url).json()["payload"]
    assert tr["participation"]["isParticipating"] is True
    r = requests.post(f"{sandbox.url}/_sandbox/sellers/{TR_SELLER_ID}",
                      json={"participating": {"A33AVAJ2PDY3EV": False}}, timeout=10)
    assert r.json()["not_participating"] == ["A33AVAJ2PDY3EV"]
    [tr] = sandbox_session.get(url).json()["payload"]
    assert tr["participation"] == {"isParticipating": False, "hasSuspendedListings": False}
    assert requests.post(f"{sandbox.url}/_sandbox/sellers/A9NOSUCHSELLER", json={}).status_code == 404
