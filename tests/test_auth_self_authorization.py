"""Yenileme anahtarını yapıştır: a private application's self-authorized refresh token, checked at once."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests

from conftest import csrf_from
from flask_amazon_tr.sandbox.seed import NON_TR_SELLER_ID, TR_SELLER_ID
from test_authorization import add_store, admin, amazon_app, api_test, keyless_store, load  # noqa: F401


def self_authorized_token(sandbox, seller_id=TR_SELLER_ID) -> str:
    """What Seller Central's Develop Apps → Authorize shows (over the sandbox's control API)."""
    r = requests.post(f"{sandbox.url}/_sandbox/self-authorize", json={"seller_id": seller_id}, timeout=10)
    assert r.status_code == 201
    return r.json()["refresh_token"]


def paste(admin, store_id, token):
    page = admin.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)
    response = admin.post(f"/admin/amazon/stores/{store_id}/refresh-token",
                          data={"csrf_token": csrf_from(page), "refresh_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/amazon/stores/{store_id}#amazon-tr-connection")
    return admin.get(response.headers["Location"]).get_data(as_text=True)


def test_the_store_page_offers_pasting_beside_authorize(amazon_app, admin):
    html = admin.get(f"/admin/amazon/stores/{add_store(amazon_app)}").get_data(as_text=True)
    assert "Yenileme anahtarını yapıştır" in html and 'type="password" id="amazon-tr-refresh-token"' in html
    assert "Uygulama Geliştir" in html  # where Seller Central shows the token


def test_a_pasted_token_is_checked_stored_encrypted_and_works(amazon_app, admin, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    store_id = add_store(amazon_app)
    token = self_authorized_token(sandbox)
    # a copy from a web page may carry line breaks and spaces: they are not part of the token
    page = paste(admin, store_id, f"  {token[:40]}\n{token[40:]} ")
    assert "Seller Central&#39;dan alınan yenileme anahtarıyla yetkilendirildi" in page
    assert sandbox.state.count("lwaToken") == 1 and sandbox.state.count("getMarketplaceParticipations") == 1
    store = load(amazon_app, store_id)
    assert store.authorized_via == "self" and store.selling_partner_id == TR_SELLER_ID
    assert store.authorization_expires_at is None  # Amazon gives a self-authorization no end date
    assert store.authorization_state() == "ok"
    assert "Amazon bir bitiş tarihi belirlemez" in page
    raw = (Path(amazon_app.instance_path) / "demo.sqlite").read_bytes()
    assert token.encode() not in raw and token not in caplog.text and token not in page
    with amazon_app.app_context():
        assert amazon_app.extensions["amazon_tr"].cipher.decrypt(store.refresh_token_encrypted) == token
    html = api_test(admin, store_id)
    assert "Bağlantı başarılı" in html
    assert sandbox.state.count("lwaToken") == 1  # the access token from the check was reused


@pytest.mark.parametrize("token,expected", [
    ("", "yenileme anahtarını yapıştırın"),
    ("Atza|an-access-token-not-a-refresh-token", "Bu bir yenileme anahtarı değil"),
    ("Atzr|" + "x" * 3000, "Bu bir yenileme anahtarı değil"),
    ("Atzr|şifre", "Bu bir yenileme anahtarı değil"),
])
def test_what_is_not_a_refresh_token_never_reaches_amazon(amazon_app, admin, sandbox, token, expected):
    store_id = add_store(amazon_app)
    assert expected in paste(admin, store_id, token)
    assert sandbox.state.count() == 0
    assert load(amazon_app, store_id).refresh_token_encrypted is None


def test_a_token_amazon_refuses_is_not_stored(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    revoked = self_authorized_token(sandbox)
    sandbox.state.revoke(refresh_token=revoked)
    for token in ("Atzr|IwEBIAnEntirelyMadeUpTokenThatAmazonNeverIssued", revoked):
        page = paste(admin, store_id, token)
        assert "Amazon bu yenileme anahtarını kabul etmedi (invalid_grant)" in page
    store = load(amazon_app, store_id)
    assert store.refresh_token_encrypted is None and store.authorized_at is None


def test_a_token_of_a_seller_not_on_amazon_com_tr_is_not_stored(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    page = paste(admin, store_id, self_authorized_token(sandbox, NON_TR_SELLER_ID))
    assert "Amazon.com.tr&#39;de satış yapmıyor" in page and "Amazon.de" in page
    assert load(amazon_app, store_id).refresh_token_encrypted is None


def test_an_expired_client_secret_is_named_when_pasting(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    token = self_authorized_token(sandbox)
    requests.post(f"{sandbox.url}/_sandbox/client-secret", json={"action": "expire"}, timeout=10)
    page = paste(admin, store_id, token)
    assert "istemci sırrını (client secret) reddetti" in page and "180 günde" in page
    assert load(amazon_app, store_id).refresh_token_encrypted is None


def test_a_seller_not_taking_part_is_stored_with_a_warning(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    requests.post(f"{sandbox.url}/_sandbox/sellers/{TR_SELLER_ID}",
                  json={"participating": {"A33AVAJ2PDY3EV": False}}, timeout=10)
    page = paste(admin, store_id, self_authorized_token(sandbox))
    assert "isParticipating: false" in page
    assert load(amazon_app, store_id).authorized_via == "self"


def test_a_new_token_replaces_the_old_and_a_revoked_store_comes_back(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    first = self_authorized_token(sandbox)
    paste(admin, store_id, first)
    sandbox.state.revoke(refresh_token=first)
    amazon_app.extensions["amazon_tr"].extras.clear()
    assert 'data-reason="revoked"' in api_test(admin, store_id)
    second = self_authorized_token(sandbox)
    paste(admin, store_id, second)
    store = load(amazon_app, store_id)
    assert store.authorization_state() == "ok"
    with amazon_app.app_context():
        assert amazon_app.extensions["amazon_tr"].cipher.decrypt(store.refresh_token_encrypted) == second


def test_no_key_stores_nothing(tmp_path, sandbox):
    client, store_id = keyless_store(tmp_path, sandbox)
    page = paste(client, store_id, self_authorized_token(sandbox))
    assert "AMAZON_TR_ENCRYPTION_KEY" in page
    assert sandbox.state.count() == 0


def test_pasting_needs_the_csrf_token(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    response = admin.post(f"/admin/amazon/stores/{store_id}/refresh-token",
                          data={"refresh_token": self_authorized_token(sandbox)})
    assert response.status_code == 400 and "güvenlik doğrulaması" in response.get_data(as_text=True)
    assert load(amazon_app, store_id).refresh_token_encrypted is None
