"""The storefront footer: the Amazon logo linking to each active store's page."""
from __future__ import annotations

from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy import select

from .i18n import gettext
from .models import Store


def footer_links() -> list[dict]:
    state = current_app.extensions["amazon_tr"]
    rows = state.db.session.execute(
        select(Store.name, Store.store_url)
        .where(Store.active.is_(True), Store.store_url.is_not(None))
        .order_by(Store.name)
    ).all()
    return [{"name": name, "url": url} for name, url in rows if url]


def footer() -> Markup:
    """Jinja global ``amazon_tr_footer()``: nothing at all when no store has an address."""
    links = footer_links()
    if not links:
        return Markup("")
    return Markup(render_template("amazon_tr/storefront/_footer.html", links=links, _=gettext))
