"""Linking SKUs Amazon has not accepted yet.

- The seller already has the SKU on Amazon (the inventory pass saw it): only the parts the
  update type covers are patched; a put would replace the whole offer, dropping what the
  plugin does not send (handling time, B2B prices, shipping template...). Amazon ships the
  SKU itself (FBA): no quantity, ever (a DEFAULT quantity would add a second, merchant
  offer beside Amazon's).
- Amazon has a product with the EAN: an offer on that ASIN (``LISTING_OFFER_ONLY``) with
  sales terms only; content on a catalog page the seller may not own can make Amazon refuse
  the whole offer, so content, if the type sends it, goes later as its own patch. An ASIN the
  seller already sells under another SKU is not offered twice.
- Amazon has no such product: a whole ``LISTING`` whose required attributes come from
  getDefinitionsProductType.
"""
from __future__ import annotations

from ...forms import AUTO_UPDATE_CHOICES
from ...models import ListingLink
from . import inventory, schema, values
from .changes import load_links
from .issues import our_issue
from .outcome import refuse
from .pusher import Pusher
from .work import Work


def link_work(pusher: Pusher, products: list) -> list[Work]:
    """Links for SKUs Amazon has not accepted yet: the seller's own listing, an EAN match, a whole LISTING."""
    if not products:
        return []
    links = load_links(pusher, [p.sku for p in products])
    on_amazon = inventory.existing(pusher.store.id, [p.sku for p in products])
    for p in products:
        if p.sku not in links:
            link = ListingLink(store_id=pusher.store.id, sku=p.sku, ean=p.ean, state="pending", issues_json="[]")
            pusher.db.add(link)
            links[p.sku] = link
            pusher.count(new_links=1)
    pusher.db.flush()

    candidates = []
    for p in products:
        link = links[p.sku]
        link.ean = p.ean
        # the same product, type and settings refused before: do not ask Amazon again
        attempt = _link_attempt(pusher, p)
        if link.failed_hash == attempt:
            continue
        candidates.append((p, link, attempt))

    work = []
    rest = []
    for p, link, attempt in candidates:
        listing = on_amazon.get(p.sku)
        if listing is None:
            rest.append((p, link, attempt))
            continue
        item = _existing_offer(pusher, link, p, listing, attempt)
        if item is not None:
            work.append(item)
    found = _catalog_matches(pusher, sorted({p.ean for p, _, _ in rest if p.ean}))
    elsewhere = inventory.asins_elsewhere(pusher.store.id, sorted({i["asin"] for i in found.values()}))
    for p, link, attempt in rest:
        item = found.get(p.ean) if p.ean else None
        if item is not None and elsewhere.get(item["asin"], p.sku) != p.sku:
            # the seller sells this ASIN under another SKU: a second offer would compete with it
            link.asin = item["asin"]
            refuse(link, attempt, [our_issue("sold_under_other_sku", sku=elsewhere[item["asin"]])], pusher.count)
            continue
        if item is not None:
            ptype = next((t.get("productType") for t in item.get("productTypes") or []
                          if t.get("productType")), None) or _product_type(pusher, p) or "PRODUCT"
            # sales terms only: content goes as its own patch once the offer exists
            parts = tuple(part for part in pusher.parts if part != values.CONTENT)
            if not parts:
                refuse(link, attempt, [our_issue("needs_offer", type=_type_label(pusher))], pusher.count)
                continue
            attrs = values.identity_attributes(p, item["asin"])
            for part in parts:
                attrs.update(values.part_attributes(part, p, pusher.rules))
            link.asin = item["asin"]  # provisional until Amazon accepts; cleared on refusal
            work.append(_work(pusher, link, p, ptype, "LISTING_OFFER_ONLY", attrs, attempt, parts=parts))
            continue
        new = _new_listing(pusher, link, p, attempt)
        if new is not None:
            work.append(new)
    return work


def _existing_offer(pusher: Pusher, link, p, listing, attempt: str) -> Work | None:
    """The SKU is already on Amazon: patch only what the type covers (never stock for an FBA SKU)."""
    link.asin = listing.asin or link.asin
    link.product_type = listing.product_type or link.product_type
    link.amazon_fulfilled = listing.amazon_fulfilled
    if link.amazon_price is None:
        link.amazon_price = listing.price  # Amazon's current price: a far-off new one waits for the admin
    parts = values.sendable_parts(pusher.parts, amazon_fulfilled=listing.amazon_fulfilled)
    pusher.count(existing_on_amazon=1)
    if not parts:
        # nothing this type may send to it (stock only, and Amazon ships it): Amazon's offer stays as it is,
        # with the status the inventory pass read
        link.state = "live"
        link.failed_hash = None
        link.amazon_status = listing.status
        link.issues = listing.issues
        link.status_due_at = None
        link.status_read_at = listing.seen_at
        return None
    digests = values.part_digests(p, pusher.rules, link.product_type)
    return Work(link=link, product=p, op="patch", parts=parts, digests=digests, attempt=attempt,
                product_type=link.product_type or "PRODUCT", patches=values.patches_for(parts, p, pusher.rules),
                rules=pusher.rules)


def _catalog_matches(pusher: Pusher, eans: list[str]) -> dict[str, dict]:
    """Amazon's catalog items by EAN, from one searchCatalogItems."""
    found: dict[str, dict] = {}
    if not eans:
        return found
    result = pusher.client.search_catalog_items_by_ean(eans, included_data=("summaries", "identifiers", "productTypes"))
    for item in result.get("items") or []:
        for group in item.get("identifiers") or []:
            for ident in group.get("identifiers") or []:
                if ident.get("identifierType") in ("EAN", "GTIN"):
                    found.setdefault(ident.get("identifier"), item)
    pusher.count(catalog_matches=len(found))
    return found


def _new_listing(pusher: Pusher, link: ListingLink, p, attempt: str) -> Work | None:
    """A whole LISTING for a product Amazon does not have, or None with the reason on the link."""
    if values.CONTENT not in pusher.parts:
        refuse(link, attempt, [our_issue("needs_content", type=_type_label(pusher))] if p.ean
               else [our_issue("no_ean")], pusher.count)
        return None
    ptype = _product_type(pusher, p)
    if not ptype:
        refuse(link, attempt, [our_issue("no_product_type", category=p.category or "—")], pusher.count)
        return None
    attrs = values.identity_attributes(p, None)
    for part in pusher.parts:
        attrs.update(values.part_attributes(part, p, pusher.rules))
    required = schema.required_attributes(pusher.client, ptype, pusher.schema_cache, pusher.clock.time())
    missing = [name for name in required if name not in attrs]
    if missing:
        refuse(link, attempt, [our_issue("missing_attributes", product_type=ptype, names=", ".join(missing))],
               pusher.count)
        pusher.count(missing_attributes=1)
        return None
    return _work(pusher, link, p, ptype, "LISTING", attrs, attempt)


def _type_label(pusher: Pusher) -> str:
    return str(dict(AUTO_UPDATE_CHOICES)[pusher.store.auto_update_type])


def _link_attempt(pusher: Pusher, product) -> str:
    digests = values.part_digests(product, pusher.rules, _product_type(pusher, product))
    return values.combined_digest({**digests, "type": pusher.store.auto_update_type, "ean": product.ean or ""})


def _product_type(pusher: Pusher, product) -> str | None:
    mapping = pusher.settings.category_map
    return mapping.get(product.category or "") or pusher.settings.default_product_type


def _work(pusher: Pusher, link, product, ptype, requirements, attrs, attempt, parts=None) -> Work:
    digests = values.part_digests(product, pusher.rules, ptype)
    return Work(link=link, product=product, op="put", parts=parts or pusher.parts, digests=digests, attempt=attempt,
                product_type=ptype, requirements=requirements, attributes=attrs, rules=pusher.rules)
