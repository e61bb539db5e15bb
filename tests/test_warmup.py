"""A worker is warm before its first request: templates compiled, catalogs and settings loaded at init_app."""
from __future__ import annotations

from demo import create_app


def _app(tmp_path, **config):
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "k", "AMAZON_TR_SANDBOX": "off",
                       "DEMO_MOUNT_SANDBOX": False, **config})


def _compiled(app) -> set[str]:
    return {key[1] for key in app.jinja_env.cache.keys()} if app.jinja_env.cache is not None else set()


def test_an_app_that_is_not_testing_compiles_every_admin_template_and_loads_the_catalog_at_start(tmp_path):
    from flask_amazon_tr.i18n import translations_for
    from flask_amazon_tr.warmup import plugin_templates

    translations_for.cache_clear()
    app = _app(tmp_path)
    names = set(plugin_templates())
    assert {"amazon_tr/stores/index.html", "amazon_tr/products/index.html", "amazon_tr/storefront/_footer.html"} <= names
    assert names | {"demo/admin_layout.html"} <= _compiled(app)  # the host's layout too
    assert translations_for.cache_info().currsize >= 1


def test_a_testing_app_is_not_warmed_unless_asked(tmp_path):
    app = _app(tmp_path, TESTING=True)
    assert not any(name.startswith("amazon_tr/") for name in _compiled(app))
    spent = app.extensions["amazon_tr"].extension.warm_up(app)
    assert set(spent) == {"templates", "catalogs", "babel", "settings", "database"}
    assert "amazon_tr/shipments/order.html" in _compiled(app)


def test_a_step_that_fails_does_not_stop_the_start(tmp_path):
    app = _app(tmp_path, AMAZON_TR_ADMIN_LAYOUT="no/such/layout.html")  # compiled at its first render instead
    assert "amazon_tr/stores/form.html" in _compiled(app)
    assert "no/such/layout.html" not in _compiled(app)
