"""A small demo shop that mounts flask-amazon-tr the way a real shop would.

    flask --app wsgi demo init     # tables, migrations, demo products
    flask --app wsgi run           # http://127.0.0.1:5000

It has its own products and orders (models), a shop adapter (adapter), an admin layout
the plugin's pages extend and a storefront whose footer calls ``amazon_tr_footer()``
(templates). With AMAZON_TR_SANDBOX=local (the default here) the local Amazon sandbox
is mounted at /amazon-sandbox, so every button works without an Amazon account; its control page
(/amazon-sandbox/_sandbox/, in the admin menu) makes Amazon-side events happen: a new order, a
buyer's cancellation request, a cancellation, a revoked authorization.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemLoader, PrefixLoader

from flask_amazon_tr import AmazonTR
from flask_amazon_tr.crypto import generate_key
from flask_amazon_tr.local_sandbox import mount_local_sandbox

from . import login, views
from .adapter import DemoShop
from .cli import demo_cli
from .models import Order, OrderLine, Product, db
from .seed import DEMO_CARRIERS, DEMO_PRODUCTS, demo_catalog, ean13, seed_products

__all__ = ["create_app", "db", "Product", "Order", "OrderLine", "DemoShop", "DEMO_CARRIERS",
           "DEMO_PRODUCTS", "demo_catalog", "ean13", "seed_products"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _instance_secret(app: Flask, name: str, make) -> str:
    path = Path(app.instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    config = dict(config or {})
    instance = Path(config.get("INSTANCE_PATH") or os.environ.get("DEMO_INSTANCE_PATH") or app.instance_path)
    app.instance_path = str(instance)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'demo.sqlite'}",
        AMAZON_TR_SANDBOX="local",
        AMAZON_TR_ADMIN_LAYOUT="demo/admin_layout.html",
        DEMO_MOUNT_SANDBOX=True,
    )
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY, FLASK_AMAZON_TR_..., FLASK_SQLALCHEMY_DATABASE_URI
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app, "secret_key", lambda: secrets.token_hex(32))
    if not app.config.get("AMAZON_TR_ENCRYPTION_KEY"):
        # The demo keeps its own key in the instance folder; a real shop sets it in its config.
        app.config["AMAZON_TR_ENCRYPTION_KEY"] = _instance_secret(app, "amazon_tr_encryption_key", generate_key)
    # The shop's templates are named demo/…, so they can never shadow the plugin's amazon_tr/…
    # (which a host may override on purpose) and the layout is AMAZON_TR_ADMIN_LAYOUT above.
    app.jinja_loader = PrefixLoader({"demo": FileSystemLoader(TEMPLATES)})

    db.init_app(app)
    shop = DemoShop()
    AmazonTR(app, db=db, shop=shop, admin_guard=login.admin_guard)
    app.extensions["demo_shop"] = shop

    if app.config.get("AMAZON_TR_SANDBOX") == "local" and app.config.get("DEMO_MOUNT_SANDBOX"):
        mount_local_sandbox(app, "/amazon-sandbox", catalog=demo_catalog())
        # the sandbox's control page (new orders, cancellations, a revoked authorization), linked from the admin menu
        app.config["DEMO_SANDBOX_CONTROL_URL"] = "/amazon-sandbox/_sandbox/"

    app.register_blueprint(views.bp)
    app.register_blueprint(login.bp)
    app.cli.add_command(demo_cli)
    return app
