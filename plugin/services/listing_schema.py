"""Required attributes of a product type, read from getDefinitionsProductType.

The definition points at a JSON Schema document (a plain HTTPS link, no access
token); its ``required`` list is what a whole LISTING must carry. Definitions
change rarely, so each is kept for an hour per application.
"""
from __future__ import annotations

import logging

import requests

log = logging.getLogger("amazon_tr")

TTL_SECONDS = 3600


def required_attributes(client, product_type: str, cache: dict, now: float) -> tuple[str, ...]:
    cached = cache.get(product_type)
    if cached and cached[0] > now:
        return cached[1]
    definition = client.get_definitions_product_type(product_type, requirements="LISTING")
    link = ((definition.get("schema") or {}).get("link") or {}).get("resource")
    required: tuple[str, ...] = ()
    if link:
        response = requests.get(link, timeout=(5, 30))
        response.raise_for_status()
        required = tuple(response.json().get("required") or ())
    cache[product_type] = (now + TTL_SECONDS, required)
    log.info("product type %s requires %s", product_type, ", ".join(required) or "nothing")
    return required
