"""Every admin route behind the guard and every POST behind CSRF, listed from the URL map so a new
route cannot be forgotten; hostile input rendered inert; oversized bodies refused."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from conftest import csrf_from


def admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("amazon_tr.")]


def concrete(rule) -> str:
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "1", rule.rule)


def snapshot(app):
    from demo import db

    with app.app_context():
        engine = db.engine
        tables = [t for t in sa.inspect(engine).get_table_names() if t.startswith("amazon_tr_") and "alembic" not in t]
        with engine.connect() as conn:
            return {t: conn.execute(sa.text(f"SELECT * FROM {t}")).all() for t in tables}


@pytest.fixture
def with_store(app, admin):
    page = admin.get("/admin/amazon/stores/new").get_data(as_text=True)
    admin.post("/admin/amazon/stores/new", data={
        "csrf_token": csrf_from(page), "name": "Mağaza", "active": "1", "seller_id": "A1TRDEMOSATICI",
        "store_url": "", "order_import": "1", "product_update": "1", "auto_update_type": "all"})
    return admin


def test_every_admin_route_needs_the_guard(app, client):
    rules = admin_rules(app)
    assert len(rules) >= 6
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(concrete(rule), method=method)
            # The demo's guard answers with its login page: a redirect, never the page itself.
            assert response.status_code == 302 and "/admin/login" in response.headers["Location"], (rule.rule, method)


@pytest.mark.parametrize("token", [None, "wrong-token", ""])
def test_every_post_needs_a_valid_csrf_token(app, with_store, token):
    before = snapshot(app)
    posts = [r for r in admin_rules(app) if "POST" in r.methods]
    assert posts
    for rule in posts:
        data = {"name": "Değişti", "seller_id": "A1TRDEMOSATICI", "auto_update_type": "stock"}
        if token is not None:
            data["csrf_token"] = token
        plain = with_store.post(concrete(rule), data=data)
        assert plain.status_code == 400, (rule.rule, plain.status_code)
        assert "güvenlik doğrulaması" in plain.get_data(as_text=True)
        htmx = with_store.post(concrete(rule), data=data, headers={"HX-Request": "true"})
        assert htmx.status_code == 200 and "güvenlik doğrulaması" in htmx.get_data(as_text=True), rule.rule
    assert snapshot(app) == before


def test_oversized_body_is_refused_in_turkish(app, with_store):
    page = with_store.get("/admin/amazon/stores/1").get_data(as_text=True)
    response = with_store.post("/admin/amazon/stores/1", data={"csrf_token": csrf_from(page), "name": "x" * 400_000})
    assert response.status_code == 413
    assert "Form çok büyük" in response.get_data(as_text=True)


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
                                     "'; DROP TABLE amazon_tr_store; --", "{{ 7*7 }}{% raw %}"])
def test_hostile_store_names_are_stored_verbatim_and_rendered_inert(app, admin, payload):
    page = admin.get("/admin/amazon/stores/new").get_data(as_text=True)
    response = admin.post("/admin/amazon/stores/new", data={
        "csrf_token": csrf_from(page), "name": payload, "active": "1", "seller_id": "A1TRDEMOSATICI",
        "store_url": "", "order_import": "1", "product_update": "0", "auto_update_type": "all"})
    assert response.status_code == 302
    listing = admin.get("/admin/amazon/").get_data(as_text=True)
    edit = admin.get(response.headers["Location"]).get_data(as_text=True)
    for html in (listing, edit):
        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
        assert "49" not in re.findall(r"<td><a [^>]+>([^<]*)</a></td>", listing)
    from demo import db
    from flask_amazon_tr.models import Store

    with app.app_context():
        assert db.session.scalar(sa.select(Store.name)) == payload
