"""Mounting the local Amazon sandbox inside the host process (AMAZON_TR_SANDBOX=local)."""
from __future__ import annotations

import logging

from werkzeug.middleware.dispatcher import DispatcherMiddleware

log = logging.getLogger("amazon_tr")


def mount_local_sandbox(app, prefix: str = "/amazon-sandbox", *, catalog=()):
    """Serve the sandbox under ``prefix`` of the same WSGI app and return its state.

    The plugin still talks to it over HTTP (AMAZON_TR_LOCAL_SANDBOX_URL), so the
    server must handle two requests at once: Flask's development server does.
    ``catalog`` lists items (dicts for ``SandboxState.add_catalog_item``: ean, title,
    brand, sku, content_locked…) so the host's own EANs are found on "Amazon".
    """
    from .sandbox import SandboxState, create_sandbox_app

    state = SandboxState()
    for item in catalog:
        state.add_catalog_item(**item)
    sandbox_app = create_sandbox_app(state)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {prefix: sandbox_app})
    app.extensions["amazon_tr"].extras["local_sandbox"] = state
    log.info("local Amazon sandbox mounted at %s", prefix)
    return state
