"""Yetkilendir and API'yi test et against the local Amazon over real HTTP."""
from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from sqlalchemy import select

from conftest import csrf_from, make_app
from flask_amazon_tr.models import OAuthState, Store
from flask_amazon_tr.sandbox.seed import NO_LISTINGS_ROLE_SELLER_ID, NON_TR_SELLER_ID, SANDBOX_CLIENT_SECRET, TR_SELLER_ID


@pytest.fixture
def amazon_app(tmp_path, sandbox):
    return make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url)


@pytest.fixture
def admin(amazon_app):
    client = amazon_app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


def add_store(app, seller_id=TR_SELLER_ID, name="Anadolu Çarşı Mağazası"):
    from demo import db

    with app.app_context():
        store = Store(name=name, seller_id=seller_id, auto_update_type="stock_price")
        db.session.add(store)
        db.session.commit()
        return store.id


def load(app, store_id):
    from demo import db

    with app.app_context():
        store = db.session.get(Store, store_id)
        db.session.expunge(store)
        return store


def start(admin, store_id):
    page = admin.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)
    response = admin.post(f"/admin/amazon/stores/{store_id}/authorize", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def consent(consent_url, *, action="approve", seller_id=TR_SELLER_ID):
    """The seller on Amazon's consent page, pressing Onayla or Reddet; returns our callback URL."""
    page = requests.get(consent_url, timeout=10)
    assert page.status_code == 200 and "Onayla" in page.text and "Reddet" in page.text
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
    action_url = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    base = "{0.scheme}://{0.netloc}".format(urlsplit(consent_url))
    answer = requests.post(base + action_url, data={"nonce": nonce, "action": action, "seller_id": seller_id},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return answer.headers["Location"]


def callback(admin, location):
    parts = urlsplit(location)
    assert parts.path == "/admin/amazon/oauth/callback"
    return admin.get(parts.path + "?" + parts.query)


def authorize(admin, store_id, **kw):
    response = callback(admin, consent(start(admin, store_id), **kw))
    assert response.status_code == 302
    return admin.get(response.headers["Location"]).get_data(as_text=True)


def api_test(admin, store_id, htmx=True):
    page = admin.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)
    headers = {"HX-Request": "true"} if htmx else {}
    response = admin.post(f"/admin/amazon/stores/{store_id}/api-test", data={"csrf_token": csrf_from(page)},
                          headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_consent_url_carries_app_state_and_redirect(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    url = start(admin, store_id)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    assert parts.path.endswith("/apps/authorize/consent")
    assert query["application_id"].startswith("amzn1.sp.solution.")
    assert query["redirect_uri"] == "http://localhost/admin/amazon/oauth/callback"
    assert len(query["state"]) >= 40
    assert "version" not in query
    from demo import db

    with amazon_app.app_context():
        row = db.session.scalar(select(OAuthState))
        assert row.state_hash != query["state"]  # only a hash is kept
        assert row.expires_at - row.created_at == timedelta(minutes=10)


def test_draft_app_sends_version_beta(tmp_path, sandbox):
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url, AMAZON_TR_APP_DRAFT="1")
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    assert "version=beta" in start(client, add_store(app))


def test_authorize_then_api_test_succeeds(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    page = authorize(admin, store_id)
    assert "Amazon ile yetkilendirildi" in page
    store = load(amazon_app, store_id)
    assert store.selling_partner_id == TR_SELLER_ID
    assert store.authorization_state() == "ok"
    assert timedelta(days=364) < store.authorization_expires_at - store.authorized_at <= timedelta(days=365)
    assert not store.refresh_token_encrypted.startswith("Atzr|")

    html = api_test(admin, store_id)
    # only the connection box, for the swap, and the header's status line out of band (never a whole page)
    assert html.lstrip().startswith('<section class="amazon-tr-card amazon-tr-connection" id="amazon-tr-connection"')
    assert re.search(r'<ul class="amazon-tr-status" id="amazon-tr-store-status"[^>]*hx-swap-oob="true"', html)
    assert "<html" not in html and 'data-test="ok"' in html
    assert "Bağlantı başarılı" in html and "Anadolu Çarşı" in html
    for key in ("orders", "listings", "feeds"):
        assert re.search(rf'<li class="ok" data-check="{key}">', html), key
    listed = admin.get("/admin/amazon/").get_data(as_text=True)
    assert "Başarılı" in listed and "tarihine kadar yetkilendirildi" in listed
    assert sandbox.state.count("getMarketplaceParticipations") == 1


def test_api_test_without_javascript_renders_the_whole_page(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    authorize(admin, store_id)
    html = api_test(admin, store_id, htmx=False)
    assert "<form method=\"post\" class=\"amazon-tr-form\"" in html and "Bağlantı başarılı" in html


def test_denied_consent_changes_nothing(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    page = authorize(admin, store_id, action="deny")
    assert "Yetkilendirme Amazon&#39;da iptal edildi" in page or "Yetkilendirme Amazon'da iptal edildi" in page
    store = load(amazon_app, store_id)
    assert store.refresh_token_encrypted is None and store.authorized_at is None


def test_replayed_state_is_refused(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    location = consent(start(admin, store_id))
    first = callback(admin, location)
    stored = load(amazon_app, store_id).refresh_token_encrypted
    second = callback(admin, location)
    assert "daha önce kullanıldı" in admin.get(second.headers["Location"]).get_data(as_text=True)
    assert first.headers["Referrer-Policy"] == "no-referrer" == second.headers["Referrer-Policy"]
    assert load(amazon_app, store_id).refresh_token_encrypted == stored


def test_state_from_another_session_is_refused(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    location = consent(start(admin, store_id))
    other = amazon_app.test_client()
    with other.session_transaction() as sess:
        sess["demo_admin"] = True
    response = callback(other, location)
    assert "başka bir oturumda" in other.get(response.headers["Location"]).get_data(as_text=True)
    assert load(amazon_app, store_id).refresh_token_encrypted is None


def test_forged_and_missing_state(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    response = admin.get("/admin/amazon/oauth/callback?state=forged&spapi_oauth_code=x&selling_partner_id=A1TRDEMOSATICI")
    assert "bağlantısı geçerli değil" in admin.get(response.headers["Location"]).get_data(as_text=True)
    response = admin.get("/admin/amazon/oauth/callback")
    assert "state yok" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert load(amazon_app, store_id).refresh_token_encrypted is None


def test_missing_code(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    query = dict(parse_qsl(urlsplit(start(admin, store_id)).query))
    response = admin.get(f"/admin/amazon/oauth/callback?state={query['state']}&selling_partner_id={TR_SELLER_ID}")
    assert "yetkilendirme kodu göndermedi" in admin.get(response.headers["Location"]).get_data(as_text=True)


def test_expired_state_and_expired_code(tmp_path, sim_sandbox, sim_clock):
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sim_sandbox.url)
    app.extensions["amazon_tr"].clock = sim_clock
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    store_id = add_store(app)

    location = consent(start(client, store_id))
    sim_clock.advance(6 * 60)  # the code lives 5 minutes; the state 10
    response = callback(client, location)
    assert "5 dakikalık süresi dolmuş" in client.get(response.headers["Location"]).get_data(as_text=True)

    location = consent(start(client, store_id))
    sim_clock.advance(11 * 60)
    response = callback(client, location)
    assert "10 dakikadan uzun sürdüğü" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert load(app, store_id).refresh_token_encrypted is None


def test_revoked_authorization_is_marked_and_offers_reauthorize(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    authorize(admin, store_id)
    sandbox.state.revoke(seller_id=TR_SELLER_ID)
    amazon_app.extensions["amazon_tr"].extras.clear()  # a new process: no access token cached
    html = api_test(admin, store_id)
    assert 'data-reason="revoked"' in html and "yeniden yetkilendirin" in html
    assert 'form="amazon-tr-reauthorize"' in html and "Yeniden yetkilendir" in html
    assert load(amazon_app, store_id).authorization_state() == "revoked"
    assert "Yetki geri alındı" in admin.get("/admin/amazon/").get_data(as_text=True)
    # Authorizing again clears the mark.
    authorize(admin, store_id)
    assert load(amazon_app, store_id).authorization_state() == "ok"


def test_seller_not_on_amazon_com_tr(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app, seller_id=NON_TR_SELLER_ID)
    authorize(admin, store_id, seller_id=NON_TR_SELLER_ID)
    html = api_test(admin, store_id)
    assert "Amazon.com.tr&#39;de satış yapmıyor" in html or "Amazon.com.tr'de satış yapmıyor" in html
    assert "Amazon.de" in html
    assert load(amazon_app, store_id).last_test_ok is False


def test_missing_role_shows_in_the_checklist(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app, seller_id=NO_LISTINGS_ROLE_SELLER_ID)
    authorize(admin, store_id, seller_id=NO_LISTINGS_ROLE_SELLER_ID)
    html = api_test(admin, store_id)
    assert "bazı izinler eksik" in html
    assert '<li class="ok" data-check="orders">' in html
    assert '<li class="fail" data-check="listings">' in html and "Product Listing rolü eksik" in html
    assert '<li class="fail" data-check="feeds">' in html


@pytest.mark.parametrize("kind,expected", [("throttle", "saniye sonra tekrar deneyin"),
                                           ("503", "şu anda kullanılamıyor")])
def test_amazon_trouble_is_explained(amazon_app, admin, sandbox, kind, expected):
    store_id = add_store(amazon_app)
    authorize(admin, store_id)
    sandbox.state.inject_fault("getMarketplaceParticipations", kind, count=10)
    html = api_test(admin, store_id)
    assert expected in html
    assert load(amazon_app, store_id).last_test_ok is False


def test_a_failing_check_behind_the_api_test_is_shown_not_a_500(amazon_app, admin, sandbox):
    # "Could not be checked: %(message)s" once collided with gettext's own parameter: a 500 page.
    store_id = add_store(amazon_app)
    authorize(admin, store_id)
    sandbox.state.inject_fault("getFeed", "500", count=10)
    html = api_test(admin, store_id)  # asserts a 200
    assert 'data-check="feeds"' in html and "Kontrol edilemedi" in html
    assert '<li class="ok" data-check="orders">' in html


def test_network_error_is_explained(tmp_path, sandbox):
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    store_id = add_store(app)
    authorize(client, store_id)
    app.config["AMAZON_TR_LOCAL_SANDBOX_URL"] = "http://127.0.0.1:9"  # nothing listens there
    app.extensions["amazon_tr"].extras.clear()
    assert "ağ hatası" in api_test(client, store_id)


def test_not_authorized_store(amazon_app, admin, sandbox):
    html = api_test(admin, add_store(amazon_app))
    assert "henüz yetkilendirilmedi" in html
    assert sandbox.state.count() == 0


def keyless_store(tmp_path, sandbox):
    """A shop with no AMAZON_TR_ENCRYPTION_KEY and one store: (its admin client, the store's id)."""
    from test_extension import host

    app, _ = host(tmp_path, guard=lambda: True, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url)
    with app.app_context():
        db = app.extensions["amazon_tr"].db
        store = Store(name="Anahtarsız", seller_id=TR_SELLER_ID, auto_update_type="all")
        db.session.add(store)
        db.session.commit()
        store_id = store.id
    return app.test_client(), store_id


def test_no_encryption_key_refuses_to_start(tmp_path, sandbox):
    client, store_id = keyless_store(tmp_path, sandbox)
    page = client.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)
    response = client.post(f"/admin/amazon/stores/{store_id}/authorize", data={"csrf_token": csrf_from(page)})
    assert response.headers["Location"].endswith(f"/admin/amazon/stores/{store_id}")
    assert "AMAZON_TR_ENCRYPTION_KEY" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_htmx_authorize_is_a_full_navigation(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    page = admin.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)
    response = admin.post(f"/admin/amazon/stores/{store_id}/authorize", data={"csrf_token": csrf_from(page)},
                          headers={"HX-Request": "true"})
    assert "/apps/authorize/consent?" in response.headers["HX-Redirect"]


def test_api_test_without_csrf_is_refused_in_a_fragment(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    response = admin.post(f"/admin/amazon/stores/{store_id}/api-test", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "güvenlik doğrulaması" in response.get_data(as_text=True)
    assert sandbox.state.count() == 0


def test_expiry_warning_in_store_list(amazon_app, admin, sandbox):
    from demo import db

    store_id = add_store(amazon_app)
    authorize(admin, store_id)
    with amazon_app.app_context():
        store = db.session.get(Store, store_id)
        store.authorization_expires_at = store.authorization_expires_at - timedelta(days=340)
        db.session.commit()
    assert "yakında yenileyin" in admin.get("/admin/amazon/").get_data(as_text=True)


def test_no_secret_in_database_or_logs(amazon_app, admin, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    store_id = add_store(amazon_app)
    authorize(admin, store_id)
    api_test(admin, store_id)
    refresh_tokens = [rt for rt, data in sandbox.state.refresh_tokens.items()]
    access_tokens = list(sandbox.state.access_tokens)
    assert refresh_tokens and access_tokens
    secrets = refresh_tokens + access_tokens + [SANDBOX_CLIENT_SECRET]
    db_file = Path(amazon_app.instance_path) / "demo.sqlite"
    raw = db_file.read_bytes()
    for wal in db_file.parent.glob("demo.sqlite-*"):
        raw += wal.read_bytes()
    logs = caplog.text
    pages = admin.get("/admin/amazon/").get_data(as_text=True) + admin.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)
    for secret in secrets:
        assert secret.encode() not in raw
        assert secret not in logs
        assert secret not in pages
    # Deleting the store leaves no trace of its (encrypted) token either.
    encrypted = load(amazon_app, store_id).refresh_token_encrypted
    page = admin.get(f"/admin/amazon/stores/{store_id}/delete").get_data(as_text=True)
    admin.post(f"/admin/amazon/stores/{store_id}/delete", data={"csrf_token": csrf_from(page)})
    assert encrypted.encode() not in db_file.read_bytes()
