"""API'yi test et says what Amazon really says: participation, restricted roles, the client secret,
timeouts, and a store that belongs to another seller."""
from __future__ import annotations

import re

import pytest
import requests

from conftest import make_app
from flask_amazon_tr.models import Store
from flask_amazon_tr.sandbox.seed import ALL_ROLES, NON_TR_SELLER_ID, TR_MARKETPLACE_ID, TR_SELLER_ID
from flask_amazon_tr.services.authorization import grant
from flask_amazon_tr.services.orders import INCLUDED_DATA
from test_authorization import add_store, admin, amazon_app, api_test, authorize, load  # noqa: F401

NO_PII_SELLER = "A6TRNOPIIROLES"


def test_a_seller_not_taking_part_in_amazon_com_tr_fails_the_test(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    authorize(admin, store_id)
    requests.post(f"{sandbox.url}/_sandbox/sellers/{TR_SELLER_ID}",
                  json={"participating": {TR_MARKETPLACE_ID: False}}, timeout=10)
    html = api_test(admin, store_id)
    assert 'data-reason="not_participating"' in html and "isParticipating: false" in html
    assert "Bağlantı başarılı" not in html
    assert load(amazon_app, store_id).last_test_ok is False


def test_missing_restricted_roles_are_named_as_those_roles(amazon_app, admin, sandbox):
    from flask_amazon_tr.sandbox.seed import RESTRICTED_ROLES

    sandbox.state.add_seller(NO_PII_SELLER, name="Ege Pazaryeri", marketplaces=[TR_MARKETPLACE_ID],
                             roles=ALL_ROLES - RESTRICTED_ROLES)
    sandbox.state.add_order(seller_id=NO_PII_SELLER, status="UNSHIPPED")
    store_id = add_store(amazon_app, seller_id=NO_PII_SELLER)
    authorize(admin, store_id, seller_id=NO_PII_SELLER)
    html = api_test(admin, store_id)
    assert "bazı izinler eksik" in html and "Bağlantı başarılı" not in html
    assert '<li class="ok" data-check="orders">' in html  # orders themselves can be read
    assert re.search(r'<li class="fail" data-check="orders_address">[^<]*Direct-to-Consumer Shipping', html)
    assert re.search(r'<li class="fail" data-check="orders_buyer">[^<]*Tax Invoicing', html)
    [probe] = [e for e in sandbox.state.requests if e["operation"] == "searchOrders"]
    assert probe["query"]["includedData"] == ",".join(INCLUDED_DATA)  # what the import asks for
    # once Amazon grants the roles, the same test is clean
    sandbox.state.sellers[NO_PII_SELLER]["roles"] = ALL_ROLES
    html = api_test(admin, store_id)
    assert "Bağlantı başarılı" in html and 'data-check="orders_address"' not in html


def test_no_orders_role_is_named_as_the_orders_role(amazon_app, admin, sandbox):
    sandbox.state.add_seller(NO_PII_SELLER, name="Trakya", marketplaces=[TR_MARKETPLACE_ID],
                             roles=ALL_ROLES - {"orders"})
    store_id = add_store(amazon_app, seller_id=NO_PII_SELLER)
    authorize(admin, store_id, seller_id=NO_PII_SELLER)
    html = api_test(admin, store_id)
    assert re.search(r'<li class="fail" data-check="orders">[^<]*Inventory and Order Tracking', html)


def test_a_timeout_is_called_a_timeout_not_a_limit(tmp_path, sandbox):
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url,
                   AMAZON_TR_READ_TIMEOUT=1)
    admin = app.test_client()
    with admin.session_transaction() as sess:
        sess["demo_admin"] = True
    store_id = add_store(app)
    authorize(admin, store_id)
    with app.app_context():
        from flask_amazon_tr.services.amazon import rate_limiter

        limiter = rate_limiter()
        while limiter.available("searchOrders", TR_SELLER_ID) >= 2:  # earlier imports used the rest
            limiter.reserve("searchOrders", TR_SELLER_ID)
    sandbox.state.inject_fault("searchOrders", "slow", count=3, seconds=2)
    html = api_test(admin, store_id)
    assert re.search(r'<li class="unknown" data-check="orders">[^<]*zaman aşımı', html), html
    assert "sınırlıyor" not in html  # a retry meeting the empty bucket would have said so
    assert sandbox.state.count("searchOrders") == 1

    sandbox.state.clear_faults()
    sandbox.state.inject_fault("getMarketplaceParticipations", "slow", count=3, seconds=2)
    html = api_test(admin, store_id)
    assert 'data-reason="timeout"' in html and "zaman aşımı" in html


def test_an_expired_client_secret_says_rotate_it_everywhere(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    authorize(admin, store_id)
    requests.post(f"{sandbox.url}/_sandbox/client-secret", json={"action": "expire"}, timeout=10)
    amazon_app.extensions["amazon_tr"].extras.clear()  # a new process: no access token cached
    html = api_test(admin, store_id)
    assert 'data-reason="client_secret"' in html and "180 günde" in html and "AMAZON_TR_LWA_CLIENT_SECRET" in html
    page = admin.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)
    assert "istemci sırrını (client secret) reddetti" in page  # the store page keeps saying it
    assert load(amazon_app, store_id).authorization_state() == "ok"  # the seller's grant is untouched

    result = amazon_app.test_cli_runner().invoke(args=["amazon", "test", str(store_id)])
    assert result.exit_code == 1
    assert "BAŞARISIZ (client_secret)" in result.output and "180 günde" in result.output

    new_secret = requests.post(f"{sandbox.url}/_sandbox/client-secret", json={"action": "rotate"},
                               timeout=10).json()["client_secret"]
    amazon_app.config["AMAZON_TR_LWA_CLIENT_SECRET"] = new_secret
    amazon_app.extensions["amazon_tr"].extras.clear()  # the restart the message asks for
    assert "Bağlantı başarılı" in api_test(admin, store_id)


def test_a_sync_that_meets_an_expired_client_secret_says_rotate_it(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    authorize(admin, store_id)
    requests.post(f"{sandbox.url}/_sandbox/client-secret", json={"action": "expire"}, timeout=10)
    amazon_app.extensions["amazon_tr"].extras.clear()
    with amazon_app.app_context():
        from flask_amazon_tr.services.orders import import_orders

        run = import_orders(store_id)
        assert run.status == "failed" and "180 günde" in run.error and "AMAZON_TR_LWA_CLIENT_SECRET" in run.error
    page = admin.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)
    assert "istemci sırrını (client secret) reddetti" in page  # the store page's order box says it
    assert load(amazon_app, store_id).authorization_revoked_at is None  # not the seller's grant


def test_an_expired_client_secret_is_named_when_authorizing(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    requests.post(f"{sandbox.url}/_sandbox/client-secret", json={"action": "expire"}, timeout=10)
    page = authorize(admin, store_id)
    assert "istemci sırrını (client secret) reddetti" in page
    assert load(amazon_app, store_id).refresh_token_encrypted is None


def test_consent_by_another_seller_is_refused_before_the_code_is_used(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    page = authorize(admin, store_id, seller_id=NON_TR_SELLER_ID)
    assert f"Yetki veren satıcı ({NON_TR_SELLER_ID}) bu mağazanın Satıcı Kodu değil" in page
    assert "Hiçbir şey kaydedilmedi" in page
    store = load(amazon_app, store_id)
    assert store.refresh_token_encrypted is None and store.selling_partner_id is None
    assert sandbox.state.count("lwaToken") == 0


def _direct_store(app, sandbox, *, name, seller_id, partner_id):
    """A store as an older version left it (authorized before such grants were refused)."""
    from demo import db
    from sandbox_fixtures import authorize_over_http

    with app.app_context():
        store = Store(name=name, seller_id=seller_id, auto_update_type="stock_price")
        grant(store, authorize_over_http(sandbox.url, seller_id=partner_id)["refresh_token"], partner_id)
        db.session.add(store)
        db.session.commit()
        return store.id


def test_a_store_authorized_by_another_seller_never_says_success_and_never_syncs(amazon_app, admin, sandbox):
    store_id = _direct_store(amazon_app, sandbox, name="Eski", seller_id=TR_SELLER_ID, partner_id=NON_TR_SELLER_ID)
    sandbox.state.clear_requests()
    html = api_test(admin, store_id)
    assert 'data-reason="partner_mismatch"' in html and "Bağlantı başarılı" not in html
    assert 'form="amazon-tr-reauthorize"' in html  # the way out: authorize again
    assert sandbox.state.count() == 0
    with amazon_app.app_context():
        from flask_amazon_tr.services.amazon import can_sync

        assert can_sync(load(amazon_app, store_id)) is False
    assert f"Başka bir satıcı ({NON_TR_SELLER_ID}) tarafından yetkilendirildi" in admin.get("/admin/amazon/").get_data(as_text=True)
    # authorizing with the right seller puts it right
    authorize(admin, store_id)
    assert "Bağlantı başarılı" in api_test(admin, store_id)


def test_two_stores_of_one_seller_are_told_apart(amazon_app, admin, sandbox):
    first = _direct_store(amazon_app, sandbox, name="Birinci", seller_id=TR_SELLER_ID, partner_id=TR_SELLER_ID)
    second = add_store(amazon_app, name="İkinci")  # a second store of the same seller, from before the rule
    html = api_test(admin, first)
    assert 'data-reason="seller_taken"' in html and "İkinci" in html
    page = authorize(admin, second)
    assert "zaten “Birinci” mağazasına bağlı" in page
    assert load(amazon_app, second).refresh_token_encrypted is None
