"""Mounting the plugin: one registration, the host's admin check on every route, namespaced everything."""
from __future__ import annotations

import re

import pytest
from flask import Flask, redirect
from flask_sqlalchemy import SQLAlchemy

from flask_amazon_tr import AmazonTR


class NoShop:
    def iter_products(self, skus=None):
        return iter(())

    def upsert_order(self, order):
        return order.number

    def cancel_order(self, number):
        pass

    def subscribe_stock_changes(self, listener):
        pass


def host(tmp_path, guard=None, **config):
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = Flask("host_shop")
    app.config.update(SECRET_KEY="k", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'h.sqlite'}", **config)
    db = SQLAlchemy(app)
    ext = AmazonTR(app, db=db, shop=NoShop(), admin_guard=guard)
    from flask_amazon_tr import migrate

    with app.app_context():
        migrate.upgrade(db.engine)
    return app, ext


def admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("amazon_tr.") and r.endpoint != "amazon_tr.static"]


def _url(rule):
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "1", rule.rule)


def test_second_registration_is_a_clear_error(tmp_path):
    app, ext = host(tmp_path, guard=lambda: True)
    with pytest.raises(RuntimeError, match="already registered"):
        ext.init_app(app)


def test_state_lives_in_app_extensions_not_on_the_extension(tmp_path):
    app, ext = host(tmp_path, guard=lambda: True)
    assert app.extensions["amazon_tr"].shop is not None
    assert not hasattr(ext, "app")


def test_without_a_guard_every_admin_route_is_forbidden(tmp_path):
    app, _ = host(tmp_path)
    client = app.test_client()
    rules = admin_rules(app)
    assert len(rules) >= 4
    for rule in rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_url(rule), method=method)
            assert response.status_code == 403, (rule.rule, method)
            assert "Erişim engellendi" in response.get_data(as_text=True)


def test_debug_and_demo_mode_open_without_guard(tmp_path):
    app, _ = host(tmp_path, AMAZON_TR_DEMO=True)
    assert app.test_client().get("/admin/amazon/").status_code == 200


def test_guard_false_forbids_and_a_response_is_returned(tmp_path):
    app, _ = host(tmp_path, guard=lambda: False)
    assert app.test_client().get("/admin/amazon/").status_code == 403
    app2, _ = host(tmp_path / "b", guard=lambda: redirect("/login"))
    response = app2.test_client().get("/admin/amazon/stores/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_url_prefix_is_configurable_and_names_are_namespaced(tmp_path):
    app, _ = host(tmp_path / "c", guard=lambda: True, AMAZON_TR_URL_PREFIX="/yonetim/amazon")
    assert app.test_client().get("/yonetim/amazon/").status_code == 200
    assert all(r.rule.startswith(("/yonetim/amazon", "/amazon-tr/static")) for r in app.url_map.iter_rules()
               if r.endpoint.startswith("amazon_tr"))
    assert all(k.startswith("AMAZON_TR_") for k in app.config if "AMAZON" in k)
    assert "amazon_tr_footer" in app.jinja_env.globals


def test_host_create_all_does_not_create_plugin_tables(tmp_path):
    import sqlalchemy as sa

    app = Flask("host2")
    app.config.update(SECRET_KEY="k", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.sqlite'}")
    db = SQLAlchemy(app)
    AmazonTR(app, db=db, shop=NoShop(), admin_guard=lambda: True)
    with app.app_context():
        db.create_all()
        assert not [t for t in sa.inspect(db.engine).get_table_names() if t.startswith("amazon_tr_")]


def test_needs_the_hosts_sqlalchemy(tmp_path):
    app = Flask("host3")
    with pytest.raises(RuntimeError, match="db.init_app"):
        AmazonTR(app, db=SQLAlchemy(), shop=NoShop())


def test_static_files_are_served_with_pinned_htmx(client):
    import hashlib

    response = client.get("/amazon-tr/static/amazon_tr/htmx.min.js")
    assert response.status_code == 200
    pinned = client.get("/amazon-tr/static/amazon_tr/VENDORED.txt").get_data(as_text=True)
    assert hashlib.sha256(response.get_data()).hexdigest() in pinned
    assert client.get("/amazon-tr/static/amazon_tr/amazon-logo.svg").status_code == 200


def test_every_setting_is_documented_in_the_readme():
    from pathlib import Path

    from flask_amazon_tr.config import DEFAULTS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    missing = [key for key in DEFAULTS if f"| `{key}` |" not in readme]
    assert missing == []


@pytest.mark.parametrize("key, value, words", [
    ("AMAZON_TR_SANDBOX", "lcoal", "AMAZON_TR_SANDBOX must be one of off, amazon, local"),
    ("AMAZON_TR_LOCALE", "de", "AMAZON_TR_LOCALE must be one of tr, en"),
    ("AMAZON_TR_ORDER_INTERVAL", "-5", "AMAZON_TR_ORDER_INTERVAL must be above zero"),
    ("AMAZON_TR_PRODUCT_INTERVAL", "every hour", "AMAZON_TR_PRODUCT_INTERVAL must be a number"),
    ("AMAZON_TR_PATCH_THRESHOLD", "2.5", "AMAZON_TR_PATCH_THRESHOLD must be a whole number"),
    ("AMAZON_TR_SCHEDULER", "maybe", "AMAZON_TR_SCHEDULER must be true or false"),
    ("AMAZON_TR_SHEDULER", "1", "unknown setting(s) AMAZON_TR_SHEDULER"),
])
def test_a_bad_setting_stops_the_start_with_its_name(tmp_path, key, value, words):
    from flask_amazon_tr.config import ConfigError

    with pytest.raises(ConfigError) as caught:
        host(tmp_path, guard=lambda: True, **{key: value})
    assert words in str(caught.value)


def test_settings_from_the_environment_arrive_typed(tmp_path):
    from flask_amazon_tr.config import setting

    app, _ = host(tmp_path, guard=lambda: True, AMAZON_TR_SANDBOX="Local", AMAZON_TR_ORDER_INTERVAL="60",
                  AMAZON_TR_READ_TIMEOUT="2.5", AMAZON_TR_APP_DRAFT="evet", AMAZON_TR_STOCK_DEBOUNCE_SECONDS="0")
    with app.app_context():
        assert setting("AMAZON_TR_SANDBOX") == "local"
        assert setting("AMAZON_TR_ORDER_INTERVAL") == 60
        assert setting("AMAZON_TR_READ_TIMEOUT") == 2.5
        assert setting("AMAZON_TR_APP_DRAFT") is True
        assert setting("AMAZON_TR_STOCK_DEBOUNCE_SECONDS") == 0
        with pytest.raises(KeyError):
            setting("AMAZON_TR_NO_SUCH_KEY")
