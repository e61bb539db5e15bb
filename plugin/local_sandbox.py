"""Mounting the local Amazon sandbox inside the host process (AMAZON_TR_SANDBOX=local)."""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from .config import setting
from .models import Store
from .extras import load_sandbox
from .state import state as plugin_state

log = logging.getLogger("amazon_tr")


def mount_local_sandbox(app, prefix: str = "/amazon-sandbox", *, catalog=()):
    """Serve the sandbox under ``prefix`` of the same WSGI app and return its state.

    The plugin still talks to it over HTTP (AMAZON_TR_LOCAL_SANDBOX_URL), so the
    server must handle two requests at once: Flask's development server does.
    ``catalog`` lists items (dicts for ``SandboxState.add_catalog_item``: ean, title,
    brand, sku, content_locked…) so the host's own EANs are found on "Amazon".
    """
    sandbox = load_sandbox()
    state = sandbox.SandboxState()
    for item in catalog:
        state.add_catalog_item(**item)
    sandbox_app = sandbox.create_sandbox_app(state)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {prefix: sandbox_app})
    plugin_state(app).extras["local_sandbox"] = state
    _remember_grants(app, state)
    log.info("local Amazon sandbox mounted at %s", prefix)
    return state


def _remember_grants(app, state) -> None:
    """Amazon remembers a seller's consent across restarts; the in-memory sandbox does not.

    Before the first request after a start, the grants the shop holds are given back to
    the sandbox, so restarting the demo does not turn every store into "yetki geri alındı".
    """
    done = []

    @app.before_request
    def _restore_once():
        if done:
            return
        done.append(True)
        ext = plugin_state(app)
        try:
            stores = ext.db.session.scalars(select(Store).where(Store.refresh_token_encrypted.is_not(None))).all()
        except SQLAlchemyError:  # tables not created yet: nothing to remember
            ext.db.session.rollback()
            return
        client_id = setting("AMAZON_TR_LWA_CLIENT_ID", app)
        seed = load_sandbox("seed")
        for store in stores:
            if store.authorization_revoked_at is not None:
                continue
            try:
                token = ext.cipher.decrypt(store.refresh_token_encrypted)
            except Exception:  # another key: the store must authorize again anyway
                continue
            with state.lock:
                state.refresh_tokens.setdefault(token, {
                    "seller_id": store.selling_partner_id or store.seller_id,
                    "client_id": client_id or seed.SANDBOX_CLIENT_ID, "revoked": False, "issued": state.now_ts()})
