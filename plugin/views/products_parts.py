"""The products page's parts that an htmx action re-renders out of band (issue 17 §2), and what the
rows need beside the links: the shop's product names and the Turkish titles of Amazon's attributes.

Every action answers with the part it targets plus, marked ``hx-swap-oob``, every other part whose
content it changed: the counts (state filter), the last run line, the run history and, once a
whole push ends, the linked-products list. So no part of the page contradicts another.
"""
from __future__ import annotations

from flask import render_template, request

from ..services import listings as service
from ..services import runs
from ..services.listings import product_types
from ..state import state
from .labels import feed_status

PER_PAGE = 50
HISTORY = 10


def list_args() -> dict:
    """The list's filter and page as the page shows them (kept by the out-of-band list)."""
    from .blueprint import page_arg
    state_filter = request.args.get("state") if request.args.get("state") in service.status.SHOWN_STATES else None
    return {"state_filter": state_filter, "query": (request.args.get("q") or "").strip(), "page": page_arg()}


def list_query(state_filter=None, query="", page=1) -> dict:
    """The list's filter as URL arguments, so an action's answer re-renders the same list and counts."""
    return {"state": state_filter or None, "q": query or None, "page": page if page > 1 else None}


def product_names(links) -> dict[str, str]:
    """The shop's product name of each SKU on the page (one adapter call for the page's rows)."""
    skus = [link.sku for link in links]
    if not skus:
        return {}
    return {p.sku: p.title for p in state().shop.iter_products(skus)}


def issue_renderer(store, links):
    """issue_text(issue, product_type) for the templates: attribute names by Amazon's tr_TR titles."""
    types = {link.product_type for link in links if link.issues and link.product_type}
    titles = product_types.attribute_titles(store, types) if types else {}
    merged: dict[str, str] = {}
    for found in titles.values():
        for name, title in found.items():
            merged.setdefault(name, title)

    def render(issue: dict, product_type: str | None = None):
        own = dict(merged)
        own.update(titles.get(product_type or "", {}) or product_types.known_titles(product_type))
        return service.issues.issue_html(issue, own, feed_status=feed_status)
    return render


def links_context(store, *, state_filter=None, query="", page=1) -> dict:
    counts = service.state_counts(store.id)
    links, total = service.list_links(store.id, state_filter=state_filter, query=query or None, page=page,
                                      per_page=PER_PAGE, counts=counts)
    return {"links": links, "total": total, "page": page, "per_page": PER_PAGE, "state_filter": state_filter,
            "query": query or "", "counts": counts, "names": product_names(links),
            "issue_text": issue_renderer(store, links), "now": state().clock.now(),
            "list_query": list_query(state_filter, query, page)}


def render_oob(store, helpers: dict, *, links: bool = False, counts: bool = False, history: bool = False,
               push: bool = False, blocked: bool = False) -> str:
    """The parts an action changed, each marked hx-swap-oob (appended to the action's own answer)."""
    parts = []
    if blocked:
        parts.append(render_template("amazon_tr/products/_blocked.html", store=store, oob=True,
                                     blocked=service.blocked_reason(store), **helpers))
    if links:
        ctx = {**helpers, **links_context(store, **list_args())}
        parts.append(render_template("amazon_tr/products/_links.html", store=store, oob=True, **ctx))
    elif counts:
        args = list_args()
        parts.append(render_template("amazon_tr/products/_filter.html", store=store, oob=True,
                                     counts=service.state_counts(store.id), state_filter=args["state_filter"],
                                     query=args["query"], **helpers))
    if history:
        parts.append(render_template("amazon_tr/products/_history.html", store=store, oob=True,
                                     runs=runs.latest_runs(store.id, "products", limit=HISTORY)))
    if push:
        latest = runs.latest_runs(store.id, "products", limit=1)
        parts.append(render_template("amazon_tr/products/_push_status.html", store=store, oob=True,
                                     run=latest[0] if latest else None, message=None, kind="success",
                                     list_query=list_query(**list_args()), **helpers))
    # each in a <template>: after a <tr> (a row's answer) the HTML parser would empty a bare <form> or
    # <section>; htmx 2 swaps the hx-swap-oob elements it finds in a template's content
    return "".join(f"<template>{part}</template>" for part in parts)
