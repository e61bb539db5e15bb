"""AmazonTR: the Flask extension a shop mounts."""
from __future__ import annotations

import logging
from typing import Any, Callable

from flask import Blueprint, Flask
from sqlalchemy import event

from .services.listings.stock import subscribe as subscribe_to_stock_changes
from .config import setting
from . import config as config_mod
from .cli import amazon_cli
from .crypto import Cipher
from .resources import static_dir
from .scheduler import start_scheduler
from .shop import ShopAdapter
from .state import EXTENSION_KEY, AmazonTRState
from .storefront import footer
from .views import admin_blueprint

log = logging.getLogger("amazon_tr")

_FOREIGN_KEYS_ON = "amazon_tr_foreign_keys"


def _foreign_keys_on(dbapi_connection, connection_record) -> None:
    # Outside any transaction (a PRAGMA opens none, and the pool hands out connections
    # rolled back): SQLite ignores this pragma inside a transaction.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()
    connection_record.info[_FOREIGN_KEYS_ON] = True


def _foreign_keys_on_checkout(dbapi_connection, connection_record, connection_proxy) -> None:
    # A connection the host opened before init_app (an in-memory database, create_all) never
    # passed through "connect" with our listener: it gets the pragma at its next checkout.
    if not connection_record.info.get(_FOREIGN_KEYS_ON):
        _foreign_keys_on(dbapi_connection, connection_record)


def enforce_sqlite_foreign_keys(engine) -> None:
    """``PRAGMA foreign_keys = ON`` on every connection of ``engine`` when it is SQLite.

    SQLite ships with foreign keys off, per connection: without this the migrations'
    ON DELETE CASCADE never fires and a row may point at a store that is gone. The
    plugin shares the host's engine and session, so the host's own SQLite tables get
    their declared foreign keys enforced too (a pragma cannot be switched per table or
    inside a transaction). PostgreSQL and the other databases always enforce them.
    """
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _foreign_keys_on):
        return
    event.listen(engine, "connect", _foreign_keys_on)
    event.listen(engine, "checkout", _foreign_keys_on_checkout)


class AmazonTR:
    """Mount with ``AmazonTR(app, db=db, shop=MyShop())`` or ``ext.init_app(app)``.

    ``db`` is the host's Flask-SQLAlchemy object; ``shop`` implements
    :class:`flask_amazon_tr.shop.ShopAdapter`; ``admin_guard`` is called before every admin
    page and returns True to allow, False to refuse (403) or a response (for
    example a redirect to the host's login page). ``warm_up``: compile the admin templates and
    load the catalogs at the end of ``init_app`` so a worker's first request is as fast as the
    next (None: unless the app is testing; see :mod:`flask_amazon_tr.warmup`).
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        db,
        shop: ShopAdapter,
        admin_guard: Callable[[], Any] | None = None,
        locale_selector: Callable[[], str] | None = None,
        warm_up: bool | None = None,
    ) -> None:
        if db is None:
            raise TypeError("AmazonTR needs the host's Flask-SQLAlchemy object: AmazonTR(app, db=db, shop=...)")
        if shop is None:
            raise TypeError("AmazonTR needs a shop adapter: AmazonTR(app, db=db, shop=MyShop())")
        self.db = db
        self.shop = shop
        self.admin_guard = admin_guard
        self.locale_selector = locale_selector
        self.warm_up_at_start = warm_up
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError(
                "flask-amazon-tr is already registered on this application; call init_app once per app."
            )
        config_mod.apply_defaults(app.config)
        config_mod.validate(app.config)
        if "sqlalchemy" not in app.extensions:
            raise RuntimeError(
                "flask-amazon-tr uses the host's Flask-SQLAlchemy: call db.init_app(app) before AmazonTR.init_app(app)."
            )
        with app.app_context():
            # the engine the plugin's rows go through (the host's default bind)
            enforce_sqlite_foreign_keys(self.db.engine)
        if not app.config.get("SECRET_KEY"):
            log.warning("SECRET_KEY is not set: the Amazon admin pages cannot protect their forms (CSRF).")

        state = AmazonTRState(
            extension=self,
            db=self.db,
            shop=self.shop,
            admin_guard=self.admin_guard,
            locale_selector=self.locale_selector,
            cipher=Cipher(setting("AMAZON_TR_ENCRYPTION_KEY", app)),
        )
        app.extensions[EXTENSION_KEY] = state

        app.register_blueprint(admin_blueprint, url_prefix=setting("AMAZON_TR_URL_PREFIX", app))
        app.register_blueprint(
            Blueprint(
                "amazon_tr_static",
                __name__,
                static_folder=str(static_dir()),
                static_url_path="/amazon-tr/static",
            )
        )
        # the shop's stock signal pushes the changed SKUs within seconds
        subscribe_to_stock_changes(app)
        app.add_template_global(footer, "amazon_tr_footer")
        app.cli.add_command(amazon_cli)
        if self.warm_up_at_start or (self.warm_up_at_start is None and not app.testing):
            self.warm_up(app)
        self._start_scheduler(app, state)

    def warm_up(self, app: Flask) -> dict[str, float]:
        """Pay now what a worker's first request would pay (templates, catalogs, ORM); ms per step."""
        from .warmup import warm_up

        return warm_up(app, self.db)

    def _start_scheduler(self, app: Flask, state: AmazonTRState) -> None:
        """Start the sync scheduler in this process when AMAZON_TR_SCHEDULER is on."""
        if not setting("AMAZON_TR_SCHEDULER", app):
            return
        state.scheduler = start_scheduler(app)

