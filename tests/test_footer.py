"""The storefront footer: the Amazon logo for active stores with an address, cached, invalidated at once."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from conftest import make_app
from flask_amazon_tr.models import Store


def add_store(app, **values):
    from demo import db

    data = {"name": "Anadolu Çarşı", "seller_id": "A1TRDEMOSATICI", "auto_update_type": "all",
            "store_url": "https://www.amazon.com.tr/s?me=A1TRDEMOSATICI"}
    data.update(values)
    with app.app_context():
        store = Store(**data)
        db.session.add(store)
        db.session.commit()
        return store.id


class QueryCounter:
    def __init__(self, engine):
        self.statements = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def plugin_queries(self):
        return [s for s in self.statements if "amazon_tr_" in s]


def test_no_store_no_logo(client):
    html = client.get("/").get_data(as_text=True)
    assert "amazon-tr-footer" not in html


def test_logo_links_to_active_stores_with_address(app, client):
    add_store(app)
    add_store(app, name="Pasif Mağaza", active=False, store_url="https://www.amazon.com.tr/s?me=PASSIVE")
    add_store(app, name="Adressiz", store_url=None)
    html = client.get("/").get_data(as_text=True)
    assert html.count('class="amazon-tr-footer__link"') == 1
    assert 'href="https://www.amazon.com.tr/s?me=A1TRDEMOSATICI" rel="noopener"' in html
    assert 'alt="Amazon&#39;daki mağazamız: Anadolu Çarşı"' in html
    assert "/amazon-tr/static/amazon_tr/amazon-logo.svg" in html
    assert "PASSIVE" not in html


def test_store_url_and_name_are_escaped_at_render(app, client):
    # Rows written past the form's validation (a direct import, an old row) still render inert.
    add_store(app, name='<img src=x onerror=alert(1)>', store_url='https://www.amazon.com.tr/"><script>alert(1)</script>')
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html or "%3Cscript%3E" in html


def test_no_plugin_query_per_request_after_warm_up(app, client):
    from demo import db

    add_store(app)
    client.get("/")
    with app.app_context():
        counter = QueryCounter(db.engine)
    for _ in range(5):
        assert "amazon-tr-footer" in client.get("/").get_data(as_text=True)
    assert counter.plugin_queries() == []


def test_a_store_change_reaches_every_worker_at_once(tmp_path):
    """Two app instances on one database and instance folder stand for two gunicorn workers."""
    first = make_app(tmp_path)
    second = make_app(tmp_path)
    store_id = add_store(first)
    a, b = first.test_client(), second.test_client()
    assert "amazon-tr-footer" in a.get("/").get_data(as_text=True)
    assert "amazon-tr-footer" in b.get("/").get_data(as_text=True)

    from demo import db

    with first.app_context():
        db.session.get(Store, store_id).store_url = "https://www.amazon.com.tr/s?me=NEWADDRESS"
        db.session.commit()
    assert "NEWADDRESS" in b.get("/").get_data(as_text=True)

    with second.app_context():
        db.session.get(Store, store_id).active = False
        db.session.commit()
    assert "amazon-tr-footer" not in a.get("/").get_data(as_text=True)


def test_saving_in_the_admin_updates_the_footer(app, admin):
    from conftest import csrf_from

    page = admin.get("/admin/amazon/stores/new").get_data(as_text=True)
    assert "amazon-tr-footer" not in admin.get("/").get_data(as_text=True)
    admin.post("/admin/amazon/stores/new", data={
        "csrf_token": csrf_from(page), "name": "Yeni", "active": "1", "seller_id": "A1TRDEMOSATICI",
        "store_url": "https://www.amazon.com.tr/s?me=A1TRDEMOSATICI", "order_import": "1", "product_update": "0",
        "auto_update_type": "all"})
    assert "amazon-tr-footer__link" in admin.get("/").get_data(as_text=True)
