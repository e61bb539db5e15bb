"""Warm a worker before its first request: what the first admin page would otherwise pay for.

A fresh worker's first page cost 66–94 ms against 5 ms for the next one (issue 16): Jinja
parsed and compiled each template on first use, the Turkish catalog was read from its
.po files, Babel loaded its locale data and SQLAlchemy configured the mappers and
initialized the dialect on its first connection; in local sandbox mode the first answer also
imported the bundled sandbox. :func:`warm_up` does all of that at application start, once
per process. What is left for the first request is SQLAlchemy compiling each of its
statements once (about 10 ms on the store list).

``AmazonTR(app, ..., warm_up=None)`` (the default) warms every application that is not
in testing mode, at the end of ``init_app``; ``warm_up=True`` always, ``False`` never.
A host that sets its Jinja loader or admin layout after ``init_app`` passes
``warm_up=False`` and calls ``ext.warm_up(app)`` itself once its app is complete (the end
of its app factory, or a gunicorn ``post_worker_init`` hook): a template compiled here is
the one the pages use. Under ``gunicorn --preload`` the master warms the
application before forking, so every worker starts warm; the database connection opened
here is returned and the pool disposed, so no worker inherits a connection.

Nothing here may stop the application: a step that fails is logged and skipped (the
first request then pays for it, as before).
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from decimal import Decimal

from flask import Flask

from .config import setting
from .resources import templates_dir

log = logging.getLogger("amazon_tr")

#: The Babel locales the admin pages format dates and money in (views/formatting.py).
BABEL_LOCALES = ("tr_TR", "en_GB")


def plugin_templates() -> list[str]:
    """Every template the plugin ships, by the name the pages render it with (``amazon_tr/...``)."""
    root = templates_dir()
    return sorted(path.relative_to(root).as_posix() for path in (root / "amazon_tr").rglob("*.html"))


def _templates(app: Flask) -> int:
    env = app.jinja_env
    names = plugin_templates()
    layout = setting("AMAZON_TR_ADMIN_LAYOUT", app)
    if layout and layout not in names:
        names.append(layout)  # the host's layout every admin page extends
    compiled = 0
    for name in names:
        try:
            env.get_template(name)  # resolved as a page would: a host's override of the name wins
            compiled += 1
        except Exception as exc:  # noqa: BLE001 - compiled at its first render instead
            log.debug("warm-up: template %s not compiled (%s)", name, type(exc).__name__)
    return compiled


def _catalogs() -> None:
    from .i18n import LOCALES, translations_for

    for locale in LOCALES:
        translations_for(locale)


def _babel() -> None:
    from babel.dates import format_date, format_datetime
    from babel.numbers import format_currency

    from .spapi.constants import MARKETPLACE_TZ

    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for locale in BABEL_LOCALES:
        format_datetime(moment, "d MMM y HH:mm", tzinfo=MARKETPLACE_TZ, locale=locale)
        format_date(moment, "d MMMM y", locale=locale)
        format_currency(Decimal("1.00"), "TRY", locale=locale)


def _settings(app: Flask) -> None:
    from .config import amazon_settings

    # every admin answer reads them (its form-action policy); in local mode this imports the
    # bundled sandbox's application identity, the whole sandbox package with it (about 90 ms)
    amazon_settings(app.config)


def _database(app: Flask, db) -> None:
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    with app.app_context():
        engine = db.engine
        if _in_memory(engine.url):
            return  # an in-memory database lives in its connection: leave it alone
        if _sqlite_file_missing(engine.url):
            return  # connecting would create the file: building the app must not make a database
        with engine.connect():
            pass  # the dialect initializes on the first connection, once per engine
        # no connection outlives the warm-up: a worker forked from here opens its own
        engine.dispose()


def _sqlite_file_missing(url) -> bool:
    from pathlib import Path

    return url.get_backend_name() == "sqlite" and not Path(url.database or "").exists()


def _in_memory(url) -> bool:
    database = url.database or ""
    return not database or "memory" in database or url.query.get("mode") == "memory"


def warm_up(app: Flask, db) -> dict[str, float]:
    """Compile the admin templates, load the catalogs, locale data and settings, set up the ORM; ms per step."""
    steps = (("templates", lambda: _templates(app)), ("catalogs", _catalogs), ("babel", _babel),
             ("settings", lambda: _settings(app)), ("database", lambda: _database(app, db)))
    spent: dict[str, float] = {}
    for name, step in steps:
        started = time.perf_counter()
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - a cold first request is better than no start
            log.warning("warm-up step %s skipped: %s", name, type(exc).__name__)
        spent[name] = round(1000 * (time.perf_counter() - started), 1)
    log.debug("warm-up done: %s", spent)
    return spent
