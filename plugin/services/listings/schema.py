"""Required attributes of a product type, read from getDefinitionsProductType.

The definition points at a JSON Schema document, which the SP-API client fetches
(with its timeouts, retries and typed errors); its ``required`` list is what a
whole LISTING must carry. Definitions
change rarely, so each is kept for an hour per application.
"""
from __future__ import annotations

import logging

from .product_types import remember_titles

log = logging.getLogger("amazon_tr")

TTL_SECONDS = 3600


def required_attributes(client, product_type: str, cache: dict, now: float) -> tuple[str, ...]:
    cached = cache.get(product_type)
    if cached and cached[0] > now:
        return cached[1]
    definition = client.get_definitions_product_type(product_type, requirements="LISTING")
    document = client.download_product_type_schema(definition)
    required = tuple(document.get("required") or ())
    remember_titles(product_type, document)  # the page names attributes by these Turkish titles
    cache[product_type] = (now + TTL_SECONDS, required)
    log.info("product type %s requires %s", product_type, ", ".join(required) or "nothing")
    return required
