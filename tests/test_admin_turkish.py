"""Türkçe, baştan sona: every admin page, with data in every state, speaks Turkish to the shop admin.

The pages come from the app's URL map (every GET route of the ``amazon_tr`` blueprint), filled with
the rows of tests/test_admin_query_counts.py (orders, links, packages, runs and feeds in each of their
states). The text a person reads (text nodes, and the title, aria-label and placeholder attributes)
must hold no raw Amazon or plugin code, no word from a list of common English ones, and no ISO
timestamp. A code may stand in small print (``<small class="amazon-tr-code">``, ``<code>``) beside its
Turkish words; SKUs, ASINs, order numbers and names are data, not words, and are not checked.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from test_admin_query_counts import AMAZON_LANDINGS, Pages, small_shop  # noqa: F401  (fixture)

#: Codes Amazon or the plugin use inside; a page shows Turkish words for them.
RAW_CODES = [
    "PENDING_AVAILABILITY", "PARTIALLY_SHIPPED", "UNSHIPPED", "SHIPPED", "CANCELLED", "UNFULFILLABLE", "PENDING",
    "BUYABLE", "DISCOVERABLE", "IN_QUEUE", "IN_PROGRESS", "DONE", "FATAL", "ACCEPTED", "INVALID",
    "partially_shipped", "stock_price", "merchant", "ready", "pending", "skipped", "shipped", "cancelled", "done",
    "failed", "running", "live", "unlinked", "locked", "confirmed", "retry", "sending", "Other",
]
#: Common English words that would mean an untranslated text.
ENGLISH = [
    "the", "and", "of", "to", "with", "from", "not", "is", "are", "was", "this", "that", "your", "you", "yet",
    "Order", "Orders", "order", "orders", "Store", "Stores", "store", "Products", "product", "products",
    "Shipments", "shipment", "Settings", "Save", "Cancel", "Delete", "Error", "error", "Status", "status",
    "Page", "page", "Next", "Previous", "unknown", "Unknown", "feed", "Feed", "waiting", "Open", "Yes", "No",
    "None", "True", "False", "null", "HTTP",
]
#: Money is written "189,90 ₺": never "₺189,90", "189.90 TRY" or "189.90 ₺".
MONEY = re.compile(r"₺\s?\d|\d\.\d{2}\s?(?:₺|TL)\b|\bTRY\b")
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\bUTC\b|\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
WORDS = re.compile(r"(?<![\w'’./#@=-])(%s)(?![\w'’/-])" % "|".join(sorted(map(re.escape, RAW_CODES + ENGLISH),
                                                                             key=len, reverse=True)))
#: Data that may hold such words (names Amazon or the shop gave, identifiers) is not read.
DATA_CLASSES = {"amazon-tr-code", "amazon-tr-data"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder")
SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "option"}


class Visible(HTMLParser):
    """The text a person reads on the page, as (where, text) pairs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.out: list[tuple[str, str]] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        skip = tag in SKIP_TAGS or bool(classes & DATA_CLASSES)
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            self.stack.append((tag, skip))
        if not (skip or self._skipping()):
            for name in READ_ATTRIBUTES:
                if attrs.get(name):
                    self.out.append((f"<{tag} {name}>", attrs[name]))
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.out.append((f"<{tag} value>", attrs["value"]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if data.strip() and not self._skipping():
            where = self.stack[-1][0] if self.stack else "?"
            self.out.append((f"<{where}>", data.strip()))


def problems(html: str, data: set[str]) -> list[str]:
    parser = Visible()
    parser.feed(html)
    found = []
    for where, text in parser.out:
        checked = text
        for value in data:  # the shop's and Amazon's own names and numbers
            checked = checked.replace(value, " ")
        for match in WORDS.finditer(checked):
            found.append(f"{where} {match.group(1)!r} in {text[:120]!r}")
        if ISO.search(checked):
            found.append(f"{where} timestamp in {text[:120]!r}")
        if MONEY.search(checked):
            found.append(f"{where} money not as 189,90 ₺ in {text[:120]!r}")
    return found


def _data_values(app) -> set[str]:
    """Names, SKUs and numbers the test rows hold: shown as they are, never translated."""
    from demo import Product, db
    from flask_amazon_tr.models import AmazonListing, ImportedOrder, ListingLink, Store

    with app.app_context():
        values = set()
        for store in db.session.query(Store):
            values |= {store.name, store.seller_id, store.store_url or ""}
        for order in db.session.query(ImportedOrder):
            values |= {order.amazon_order_id, order.shop_number or "", order.unknown_skus or ""}
        for link in db.session.query(ListingLink):
            values |= {link.sku, link.asin or "", link.product_type or ""}
        for listing in db.session.query(AmazonListing):
            values |= {listing.sku, listing.asin or ""}
        for product in db.session.query(Product):
            values |= {product.sku, product.title or "", product.brand or "", product.category or ""}
    return {v for v in values if v and len(v) > 2}


def test_problems_finds_what_it_should():
    assert problems("<td>UNSHIPPED</td>", set())
    assert problems("<p>The order is ready</p>", set())
    assert problems("<td>2026-10-31T21:00:00Z</td>", set())
    assert problems('<button aria-label="Open">x</button>', set())
    assert not problems('<td>Kargolanmadı <small class="amazon-tr-code">UNSHIPPED</small></td>', set())
    assert problems("<td>189.90 TRY</td>", set()) and problems("<td>₺189,90</td>", set())
    assert not problems("<td>1 Kas 2026 00:00 · 189,90 ₺</td><code>JSON_LISTINGS_FEED</code>", set())
    assert not problems("<td>Other Brand Ltd</td>", {"Other Brand Ltd"})


@pytest.mark.parametrize("locale", ["tr"])
def test_every_admin_page_speaks_turkish(app, admin, small_shop, locale):  # noqa: F811
    pages = Pages(app, admin)
    urls = pages.urls(small_shop)
    data = _data_values(app)
    found = {}
    for endpoint, url in sorted(urls.items()):
        response = admin.get(url)
        if response.status_code in (301, 302, 303):  # a landing from Amazon goes on to a page
            response = admin.get(response.headers["Location"])
        assert response.status_code < 500, (endpoint, response.status_code)
        if "text/html" not in response.content_type:
            continue
        bad = problems(response.get_data(as_text=True), data)
        if bad:
            found[endpoint] = bad[:8] + ([f"… {len(bad) - 8} more"] if len(bad) > 8 else [])
    assert not found, "\n".join(f"{endpoint}:\n  " + "\n  ".join(lines) for endpoint, lines in found.items())
