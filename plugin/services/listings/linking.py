"""Linking SKUs Amazon has not accepted yet: an offer on the ASIN Amazon has for the EAN
(``LISTING_OFFER_ONLY``), or a whole ``LISTING`` whose required attributes come from
getDefinitionsProductType when Amazon has no product with that EAN."""
from __future__ import annotations

from ...forms import AUTO_UPDATE_CHOICES
from ...models import ListingLink
from . import schema, values
from .changes import load_links
from .issues import our_issue
from .outcome import refuse
from .pusher import Pusher
from .work import Work


def link_work(pusher: Pusher, products: list) -> list[Work]:
    """Links for SKUs Amazon has not accepted yet: EAN match first, whole LISTING otherwise."""
    if not products:
        return []
    links = load_links(pusher, [p.sku for p in products])
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

    found = _catalog_matches(pusher, sorted({p.ean for p, _, _ in candidates if p.ean}))
    work = []
    for p, link, attempt in candidates:
        item = found.get(p.ean) if p.ean else None
        if item is not None:
            ptype = next((t.get("productType") for t in item.get("productTypes") or []
                          if t.get("productType")), None) or _product_type(pusher, p) or "PRODUCT"
            attrs = values.identity_attributes(p, item["asin"])
            for part in pusher.parts:
                attrs.update(values.part_attributes(part, p, pusher.rules))
            link.asin = item["asin"]  # provisional until Amazon accepts; cleared on refusal
            work.append(_work(pusher, link, p, ptype, "LISTING_OFFER_ONLY", attrs, attempt))
            continue
        new = _new_listing(pusher, link, p, attempt)
        if new is not None:
            work.append(new)
    return work


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


def _work(pusher: Pusher, link, product, ptype, requirements, attrs, attempt) -> Work:
    digests = values.part_digests(product, pusher.rules, ptype)
    return Work(link=link, product=product, op="put", parts=pusher.parts, digests=digests, attempt=attempt,
                product_type=ptype, requirements=requirements, attributes=attrs, rules=pusher.rules)
