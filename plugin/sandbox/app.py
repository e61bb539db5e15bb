"""The Flask app that plays Amazon: LWA, Seller Central consent and SP-API."""
from __future__ import annotations

import os

from flask import Flask

# Each ops_* module registers its operations' handlers with dispatch when imported.
from . import (auth, control, documents, listings_search, ops_catalog, ops_feeds,  # noqa: F401
               ops_listings, ops_orders, ops_sellers, ops_shipments)
from .dispatch import register_operations
from .models import ModelRegistry
from .state import SandboxState


def create_sandbox_app(state: SandboxState | None = None, *,
                       models_dir: str | os.PathLike | None = None) -> Flask:
    state = state if state is not None else SandboxState()
    app = Flask("plugin.sandbox")
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # Turkish text stays readable on the wire
    registry = ModelRegistry(models_dir)
    app.extensions["amazon_tr_sandbox"] = {"state": state, "registry": registry}

    app.register_blueprint(auth.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(ops_catalog.bp)
    register_operations(app)
    return app
