"""What the plugin keeps per application, and the one way to reach it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask, current_app

from .clock import SystemClock
from .crypto import Cipher
from .shop import ShopAdapter

EXTENSION_KEY = "amazon_tr"


@dataclass
class AmazonTRState:
    """Kept in ``app.extensions["amazon_tr"]`` by :meth:`AmazonTR.init_app`."""

    extension: Any
    db: Any
    shop: ShopAdapter
    admin_guard: Callable[[], Any] | None
    locale_selector: Callable[[], str] | None
    cipher: Cipher
    clock: Any = field(default_factory=SystemClock)
    scheduler: Any = None
    extras: dict = field(default_factory=dict)


def state(app: Flask | None = None) -> AmazonTRState:
    """The plugin's state on ``app`` (the current application when omitted)."""
    target = app if app is not None else current_app
    try:
        return target.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError("flask-amazon-tr is not registered on this application") from None


def maybe_state(app: Flask) -> AmazonTRState | None:
    """The state, or None on an application that does not mount the plugin."""
    return app.extensions.get(EXTENSION_KEY)
