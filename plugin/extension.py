"""AmazonTR: the Flask extension a shop mounts."""
from __future__ import annotations

import logging
from typing import Any, Callable

from flask import Blueprint, Flask

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

class AmazonTR:
    """Mount with ``AmazonTR(app, db=db, shop=MyShop())`` or ``ext.init_app(app)``.

    ``db`` is the host's Flask-SQLAlchemy object; ``shop`` implements
    :class:`flask_amazon_tr.shop.ShopAdapter`; ``admin_guard`` is called before every admin
    page and returns True to allow, False to refuse (403) or a response (for
    example a redirect to the host's login page).
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        db,
        shop: ShopAdapter,
        admin_guard: Callable[[], Any] | None = None,
        locale_selector: Callable[[], str] | None = None,
    ) -> None:
        if db is None:
            raise TypeError("AmazonTR needs the host's Flask-SQLAlchemy object: AmazonTR(app, db=db, shop=...)")
        if shop is None:
            raise TypeError("AmazonTR needs a shop adapter: AmazonTR(app, db=db, shop=MyShop())")
        self.db = db
        self.shop = shop
        self.admin_guard = admin_guard
        self.locale_selector = locale_selector
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
        self._start_scheduler(app, state)

    def _start_scheduler(self, app: Flask, state: AmazonTRState) -> None:
        """Start the sync scheduler in this process when AMAZON_TR_SCHEDULER is on."""
        if not setting("AMAZON_TR_SCHEDULER", app):
            return
        state.scheduler = start_scheduler(app)

