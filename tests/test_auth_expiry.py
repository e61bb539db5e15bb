"""The 365-day date: a warning 30 days before, never a stop on the plugin's own clock; only Amazon's
invalid_grant ends a grant. A self-authorized private application has no such date."""
from __future__ import annotations

import pytest
import requests

from conftest import make_app
from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
from test_authorization import add_store, api_test, authorize, load

DAY = 86400


@pytest.fixture
def sim_app(tmp_path, sim_sandbox, sim_clock):
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sim_sandbox.url)
    app.extensions["amazon_tr"].clock = sim_clock
    return app


@pytest.fixture
def admin(sim_app):
    client = sim_app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


def can_sync(app, store_id) -> bool:
    with app.app_context():
        from flask_amazon_tr.services.amazon import can_sync as check

        return check(load(app, store_id))


def test_the_date_warns_but_only_amazon_ends_the_grant(sim_app, admin, sim_sandbox, sim_clock):
    store_id = add_store(sim_app)
    authorize(admin, store_id)
    assert "tarihine kadar yetkilendirildi" in admin.get("/admin/amazon/").get_data(as_text=True)

    sim_clock.advance(336 * DAY)  # 29 days before the date Amazon announced
    assert load(sim_app, store_id).authorization_state(sim_clock.now()) == "expiring"
    assert "yakında yenileyin" in admin.get("/admin/amazon/").get_data(as_text=True)
    assert can_sync(sim_app, store_id)

    sim_clock.advance(40 * DAY)  # past the date: Amazon still accepts the grant, so the store goes on
    listed = admin.get("/admin/amazon/").get_data(as_text=True)
    assert "yenileme tarihi" in listed and "geçti" in listed
    assert can_sync(sim_app, store_id)
    assert "Bağlantı başarılı" in api_test(admin, store_id)
    with sim_app.app_context():
        from flask_amazon_tr.services.orders import import_orders

        assert import_orders(store_id).status == "done"

    # the end comes from Amazon: invalid_grant on the next token refresh
    sim_sandbox.state.revoke(seller_id=TR_SELLER_ID)
    sim_clock.advance(3601)  # the cached access token runs out
    assert 'data-reason="revoked"' in api_test(admin, store_id)
    assert not can_sync(sim_app, store_id)


def test_a_self_authorized_grant_has_no_date_to_warn_about(sim_app, admin, sim_sandbox, sim_clock):
    from test_auth_self_authorization import paste

    store_id = add_store(sim_app)
    token = requests.post(f"{sim_sandbox.url}/_sandbox/self-authorize", json={"seller_id": TR_SELLER_ID},
                          timeout=10).json()["refresh_token"]
    paste(admin, store_id, token)
    sim_clock.advance(400 * DAY)
    store = load(sim_app, store_id)
    assert store.authorization_expires_at is None and store.authorization_state(sim_clock.now()) == "ok"
    listed = admin.get("/admin/amazon/").get_data(as_text=True)
    assert "Amazon bir bitiş tarihi belirlemez" in listed and "yenileyin" not in listed
    assert can_sync(sim_app, store_id)


def test_the_daily_check_warns_30_days_ahead_and_never_revokes(sim_app, admin, sim_clock, caplog):
    import logging

    store_id = add_store(sim_app)
    authorize(admin, store_id)
    with sim_app.app_context():
        from flask_amazon_tr.services.schedule import check_authorizations

        assert check_authorizations() == {}
        sim_clock.advance(336 * DAY)
        with caplog.at_level(logging.WARNING, logger="amazon_tr"):
            assert check_authorizations() == {store_id: "expiring"}
        sim_clock.advance(60 * DAY)
        assert check_authorizations() == {store_id: "expiring"}  # still a warning, not a stop
    assert load(sim_app, store_id).authorization_revoked_at is None
