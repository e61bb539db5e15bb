"""Amazon's product types for Türkiye and the Turkish titles of their attributes.

The settings' product type is chosen from Amazon's own list (searchDefinitionsProductTypes with
``locale=tr_TR``: "Human-readable and localized" display names, product-type-definitions-2020-09-01.json),
never typed. Issues name attributes by code (``'brand'``); the product type's JSON Schema has a localized
``title`` for each property, read when the schema is (schema.py) or once per product type for the page.

Both change rarely and cost calls: the list is kept for a day, titles for an hour, per process; a
failed read is remembered for a few minutes so a page never waits on Amazon twice in a row.
"""
from __future__ import annotations

import logging

from .. import messages, state

log = logging.getLogger("amazon_tr")

LIST_TTL = 24 * 3600.0
TITLES_TTL = 3600.0
FAILURE_TTL = 300.0
#: A page waits for Amazon a few seconds at most; the next render tries again.
CLIENT_OPTIONS = {"max_retries": 2, "backoff_cap": 2.0, "max_wait": 2.0, "timeout": (2.0, 4.0)}


def _now() -> float:
    return state().clock.monotonic()  # the app's clock: a simulated one in the fault matrix


def _cache(name: str) -> dict:
    return state().extras.setdefault(name, {})


def remember_titles(product_type: str, schema: dict) -> dict[str, str]:
    """Keep the Turkish titles of a product type's attributes from its JSON Schema."""
    titles = {name: str(prop.get("title")) for name, prop in (schema.get("properties") or {}).items()
              if isinstance(prop, dict) and prop.get("title")}
    _cache("attribute_titles")[product_type] = (_now() + TITLES_TTL, titles)
    return titles


def known_titles(product_type: str | None) -> dict[str, str]:
    """Titles already read for the product type, or for any type when it is not known (an attribute has
    the same title in every type's schema, as far as the sandbox and Seller Central show): never calls Amazon."""
    cache = _cache("attribute_titles")
    found = cache.get(product_type or "")
    if found and found[1]:
        return found[1]
    merged: dict[str, str] = {}
    for _until, titles in list(cache.values()):
        for name, title in titles.items():
            merged.setdefault(name, title)
    return merged


def _store_client(store):
    from ..amazon import calling_amazon, can_sync
    return calling_amazon(store, **CLIENT_OPTIONS) if can_sync(store) else None


def attribute_titles(store, product_types) -> dict[str, dict[str, str]]:
    """Titles for each product type, read from Amazon when not kept yet (at most once per TTL)."""
    cache = _cache("attribute_titles")
    now = _now()
    out: dict[str, dict[str, str]] = {}
    missing = sorted({p for p in product_types if p and (p not in cache or cache[p][0] < now)})
    if missing:
        calling = _store_client(store)
        if calling is not None:
            try:
                with calling as client:
                    for ptype in missing:
                        definition = client.get_definitions_product_type(ptype, requirements="LISTING")
                        remember_titles(ptype, client.download_product_type_schema(definition))
            except messages.AMAZON_FAILURES as exc:
                log.info("attribute titles not read: %s", type(exc).__name__)
                for ptype in missing:
                    kept = cache.get(ptype)
                    if kept is None or kept[0] < now:  # stale titles beat none; asked again later
                        cache[ptype] = (now + FAILURE_TTL, kept[1] if kept else {})
    for ptype in product_types:
        if ptype:
            out[ptype] = known_titles(ptype)
    return out


def amazon_product_types(store) -> list[tuple[str, str]] | None:
    """Amazon's product types for the marketplace as (code, Turkish name), sorted by name; None when
    they cannot be read now (a store not authorized, or Amazon failing)."""
    cache = _cache("amazon_product_types")
    key = "tr"  # every store sells on Amazon.com.tr
    now = _now()
    found = cache.get(key)
    if found and found[0] > now:
        return found[1]
    calling = _store_client(store)
    if calling is None:
        return None
    try:
        with calling as client:
            answer = client.search_definitions_product_types()
    except messages.AMAZON_FAILURES as exc:
        log.info("product types not read: %s", type(exc).__name__)
        cache[key] = (now + FAILURE_TTL, None)
        return None
    types = sorted(((str(t["name"]), str(t.get("displayName") or t["name"]))
                    for t in answer.get("productTypes") or [] if isinstance(t, dict) and t.get("name")),
                   key=lambda pair: pair[1].casefold())
    cache[key] = (now + LIST_TTL, types)
    return types
