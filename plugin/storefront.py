"""The storefront footer: the Amazon logo linking to each active store's page.

Storefront pages are hot, so the links are cached per process. A store change
writes a new stamp file (after the commit); every worker compares the stamp
with one ``stat`` per render, which costs no database query, and reloads at
once when it moved. Several hosts can share the stamp through
AMAZON_TR_CACHE_STAMP on shared storage.
"""
from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

from flask import current_app, has_app_context, render_template
from markupsafe import Markup
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .config import setting
from .i18n import current_locale, gettext
from .models import Store
from .state import maybe_state, state

_STORE_CHANGED = "amazon_tr_store_changed"


def stamp_path(app) -> Path:
    configured = setting("AMAZON_TR_CACHE_STAMP", app)
    return Path(configured) if configured else Path(app.instance_path) / "amazon_tr_stores.stamp"


def _stamp_of(path: str):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def touch_stamp(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    tmp.write_text(uuid.uuid4().hex)
    os.replace(tmp, path)  # a new inode: every worker sees the change, whatever the clock's granularity


class FooterCache:
    def __init__(self, stamp: Path) -> None:
        self.stamp = str(stamp)
        self._lock = threading.Lock()
        self._seen = object()
        self._html: dict[str, Markup] = {}
        self.loads = 0

    def render(self) -> Markup:
        current = _stamp_of(self.stamp)
        locale = current_locale()
        if current == self._seen:
            # The hot path: no lock, no query; a dict read is atomic.
            cached = self._html.get(locale)
            if cached is not None:
                return cached
        with self._lock:
            if current != self._seen:
                self._html.clear()
                self._seen = current
            cached = self._html.get(locale)
        if cached is not None:
            return cached
        html = _render_links(footer_links())
        with self._lock:
            if _stamp_of(self.stamp) == current:
                self._html[locale] = html
        return html


def footer_links() -> list[dict]:
    st = state()
    cache = st.extras.get("footer_cache")
    if cache is not None:
        cache.loads += 1
    rows = st.db.session.execute(
        select(Store.name, Store.store_url)
        .where(Store.active.is_(True), Store.store_url.is_not(None))
        .order_by(Store.name)
    ).all()
    return [{"name": name, "url": url} for name, url in rows if url]


def _render_links(links: list[dict]) -> Markup:
    if not links:
        return Markup("")
    return Markup(render_template("amazon_tr/storefront/_footer.html", links=links, _=gettext))


def footer() -> Markup:
    """Jinja global ``amazon_tr_footer()``: nothing at all when no active store has an address."""
    st = state()
    cache = st.extras.get("footer_cache")
    if cache is None:
        cache = st.extras.setdefault("footer_cache", FooterCache(stamp_path(current_app)))
    return cache.render()


def _note_store_changes(session, flush_context, instances) -> None:
    if any(isinstance(obj, Store) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_STORE_CHANGED] = True


def _after_commit(session) -> None:
    if session.info.pop(_STORE_CHANGED, False) and has_app_context() and maybe_state(current_app) is not None:
        touch_stamp(stamp_path(current_app))


def _after_rollback(session) -> None:
    session.info.pop(_STORE_CHANGED, None)


# Registered once for every Session: the host's scoped sessions included. It costs a
# scan of each flush's objects; commits that touch no store never write the stamp.
event.listen(Session, "before_flush", _note_store_changes)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_rollback", _after_rollback)
