"""Catalog Items 2022-04-01 search and Product Type Definitions 2020-09-01."""
from __future__ import annotations

import base64
import hashlib
import json

from flask import Blueprint, Response, request

from .dispatch import Call, invalid, operation
from .seed import MARKETPLACES, TR_MARKETPLACE_ID

bp = Blueprint("sandbox_schemas", __name__)

PRODUCT_TYPE_NAMES = {
    "HOME": "Ev", "KITCHEN": "Mutfak", "GROCERY": "Gıda", "BEAUTY": "Güzellik",
    "SHOES": "Ayakkabı", "TOY": "Oyuncak", "JEWELRY": "Takı", "BOOKS": "Kitap",
    "APPAREL": "Giyim", "PRODUCT": "Ürün",
}

#: Every property of a product type schema has a "title" (and "description") "localized to the
#: requested locale" ("Product Type Definitions API" use-case guide, developer-docs.amazon.com:
#: the schema's meta-schema requires title on each property); the local Amazon serves tr_TR ones,
#: worded as Seller Central Türkiye shows these attributes (an assumption for each wording).
ATTRIBUTE_TITLES_TR = {
    "condition_type": "Ürün Durumu", "item_name": "Ürün Adı", "brand": "Marka Adı",
    "bullet_point": "Madde İşareti", "product_description": "Ürün Açıklaması",
    "merchant_suggested_asin": "Satıcının Önerdiği ASIN",
    "externally_assigned_product_identifier": "Harici Ürün Kimliği",
    "purchasable_offer": "Satın Alınabilir Teklif", "fulfillment_availability": "Gönderim Yöntemi ve Stok",
    "color": "Renk", "main_product_image_locator": "Ana Görsel",
}


def _catalog_view(item: dict, marketplace_id: str, included: list[str]) -> dict:
    out: dict = {"asin": item["asin"]}
    if "summaries" in included:
        out["summaries"] = [{"marketplaceId": marketplace_id, "brand": item["brand"],
                             "itemName": item["title"], "manufacturer": item["brand"],
                             "itemClassification": "BASE_PRODUCT"}]
    if "identifiers" in included:
        out["identifiers"] = [{"marketplaceId": marketplace_id, "identifiers": [
            {"identifierType": "EAN", "identifier": item["ean"]}]}]
    if "productTypes" in included:
        out["productTypes"] = [{"marketplaceId": marketplace_id,
                                "productType": item["productType"]}]
    if "attributes" in included:
        out["attributes"] = {
            "item_name": [{"value": item["title"], "language_tag": "tr_TR",
                           "marketplace_id": marketplace_id}],
            "brand": [{"value": item["brand"], "language_tag": "tr_TR",
                       "marketplace_id": marketplace_id}],
            "externally_assigned_product_identifier": [
                {"type": "ean", "value": item["ean"], "marketplace_id": marketplace_id}],
        }
    for name in ("classifications", "dimensions", "images", "relationships", "salesRanks",
                 "vendorDetails"):
        if name in included:
            out[name] = []
    return out


@operation("searchCatalogItems")
def search_catalog_items(call: Call):
    p = call.params
    mid = p["marketplaceIds"][0]
    if mid not in MARKETPLACES:
        raise invalid(f"Invalid marketplaceId '{mid}'.")
    identifiers, keywords = p.get("identifiers"), p.get("keywords")
    if bool(identifiers) == bool(keywords):
        raise invalid("Exactly one of identifiers and keywords must be provided.")
    included = p.get("includedData") or ["summaries"]
    state = call.state
    items = sorted(state.catalog.values(), key=lambda x: x["asin"])
    if identifiers:
        kind = p.get("identifiersType")
        if not kind:
            raise invalid("identifiersType is required when identifiers are given.")
        if kind == "SKU" and not p.get("sellerId"):
            raise invalid("sellerId is required when identifiersType is SKU.")
        wanted = set(identifiers)
        if kind in ("EAN", "GTIN"):
            found = [i for i in items if i["ean"] in wanted]
        elif kind == "ASIN":
            found = [i for i in items if i["asin"] in wanted]
        elif kind == "SKU":
            found = [i for i in items if i.get("sku") in wanted]
        else:
            found = []
    else:
        words = [w.casefold() for w in keywords]
        found = [i for i in items if all(w in i["title"].casefold() for w in words)]
    if mid != TR_MARKETPLACE_ID:
        found = []  # the seeded catalog lives on Amazon.com.tr only
    size = p.get("pageSize", 10)
    if not 1 <= size <= 20:
        raise invalid("pageSize must be between 1 and 20.")
    offset = 0
    if p.get("pageToken"):
        try:
            offset = int(base64.urlsafe_b64decode(p["pageToken"].encode()).decode())
        except ValueError:
            raise invalid("Invalid pageToken.") from None
    page = found[offset:offset + size]
    body = {"numberOfResults": len(found),
            "items": [_catalog_view(i, mid, included) for i in page]}
    if offset + size < len(found):
        body["pagination"] = {"nextToken": base64.urlsafe_b64encode(
            str(offset + size).encode()).decode()}
    if keywords:
        body["refinements"] = {"brands": [], "classifications": []}
    return 200, body


def product_type_schema(product_type: str) -> dict:
    """A small JSON Schema for a product type's listing attributes."""
    def values(value_schema: dict, extra: dict | None = None) -> dict:
        props = {"value": value_schema, "marketplace_id": {"type": "string"},
                 "language_tag": {"type": "string"}}
        props.update(extra or {})
        return {"type": "array", "minItems": 1,
                "items": {"type": "object", "properties": props}}

    properties = {
            "condition_type": values({"type": "string", "enum": ["new_new", "used_like_new",
                                                                 "used_good"]}),
            "item_name": values({"type": "string", "maxLength": 200}),
            "brand": values({"type": "string", "maxLength": 100}),
            "bullet_point": values({"type": "string", "maxLength": 500}),
            "product_description": values({"type": "string", "maxLength": 2000}),
        "color": values({"type": "string", "maxLength": 50}),
        "main_product_image_locator": {"type": "array", "items": {"type": "object", "properties": {
            "media_location": {"type": "string"}, "marketplace_id": {"type": "string"}}}},
            "merchant_suggested_asin": values({"type": "string", "pattern": "^[A-Z0-9]{10}$"}),
            "externally_assigned_product_identifier": {
                "type": "array", "items": {"type": "object", "required": ["type", "value"],
                                           "properties": {"type": {"enum": ["ean", "upc", "gtin"]},
                                                          "value": {"type": "string"},
                                                          "marketplace_id": {"type": "string"}}}},
            "purchasable_offer": {
                "type": "array", "items": {"type": "object", "properties": {
                    "currency": {"type": "string"}, "marketplace_id": {"type": "string"},
                    "our_price": {"type": "array", "items": {"type": "object", "properties": {
                        "schedule": {"type": "array", "items": {"type": "object", "properties": {
                            "value_with_tax": {"type": "number", "minimum": 0}}}}}}}}}},
            "fulfillment_availability": {
                "type": "array", "items": {"type": "object",
                                           "required": ["fulfillment_channel_code"],
                                           "properties": {
                                               "fulfillment_channel_code": {"type": "string"},
                                               "quantity": {"type": "integer", "minimum": 0}}}},
    }
    for name, prop in properties.items():
        prop["title"] = ATTRIBUTE_TITLES_TR[name]
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": f"sandbox:product-types/{product_type}",
        "title": PRODUCT_TYPE_NAMES.get(product_type, product_type),
        "type": "object",
        "required": ["condition_type", "item_name", "brand"],
        "properties": properties,
    }


def _schema_bytes(product_type: str) -> bytes:
    return json.dumps(product_type_schema(product_type), ensure_ascii=False,
                      sort_keys=True).encode("utf-8")


@operation("getDefinitionsProductType")
def get_definitions_product_type(call: Call):
    ptype = call.params["productType"]
    if ptype not in PRODUCT_TYPE_NAMES:
        raise invalid(f"Invalid product type '{ptype}'.")
    mids = call.params["marketplaceIds"]
    for mid in mids:
        if mid not in MARKETPLACES:
            raise invalid(f"Invalid marketplaceId '{mid}'.")
    raw = _schema_bytes(ptype)
    body = {
        # url_root, not host_url: it keeps the prefix the sandbox is mounted under (the demo
        # mounts it at /amazon-sandbox; without it downloadProductTypeSchema got a 404)
        "schema": {"link": {"resource": request.url_root.rstrip("/") + f"/_schemas/{ptype}",
                            "verb": "GET"},
                   "checksum": base64.b64encode(hashlib.md5(raw).digest()).decode()},
        "requirements": call.params.get("requirements", "LISTING"),
        "requirementsEnforced": call.params.get("requirementsEnforced", "ENFORCED"),
        "propertyGroups": {
            "offer": {"title": "Teklif", "propertyNames": [
                "condition_type", "purchasable_offer", "fulfillment_availability"]},
            "product_identity": {"title": "Ürün Kimliği", "propertyNames": [
                "item_name", "brand", "externally_assigned_product_identifier",
                "merchant_suggested_asin"]},
            "product_details": {"title": "Ürün Detayları", "propertyNames": [
                "bullet_point", "product_description"]},
        },
        "locale": call.params.get("locale") or "tr_TR",
        "marketplaceIds": mids,
        "productType": ptype,
        "displayName": PRODUCT_TYPE_NAMES[ptype],
        "productTypeVersion": {"version": "SANDBOX.1", "latest": True, "releaseCandidate": False},
    }
    return 200, body


@operation("searchDefinitionsProductTypes")
def search_definitions_product_types(call: Call):
    """Product types with definitions for the marketplace (product-type-definitions-2020-09-01.json,
    ProductTypeList: ``productTypes`` of name, displayName, marketplaceIds, and ``productTypeVersion``).

    displayName is "Human-readable and localized" (the model): the local Amazon serves tr_TR names,
    and the code itself for any other locale (an assumption: it holds no other translations).
    ``keywords`` and ``itemName`` "Cannot be used with" each other (the model); the local Amazon
    matches a keyword against the code or the Turkish name, and an item name word by word
    (Amazon's ranking is not documented: an assumption)."""
    for mid in call.params["marketplaceIds"]:
        if mid not in MARKETPLACES:
            raise invalid(f"Invalid marketplaceId '{mid}'.")
    keywords = [k.strip().casefold() for k in call.params.get("keywords") or [] if k.strip()]
    item_name = (call.params.get("itemName") or "").strip().casefold()
    if keywords and item_name:
        raise invalid("keywords and itemName cannot be used together.")
    turkish = (call.params.get("locale") or "tr_TR").lower().startswith("tr")
    words = [w for w in item_name.split() if len(w) > 2]
    found = []
    for name, display in PRODUCT_TYPE_NAMES.items():
        haystack = f"{name} {display}".casefold()
        if keywords and not any(k in haystack for k in keywords):
            continue
        if words and not any(w in haystack for w in words):
            continue
        found.append({"name": name, "displayName": display if turkish else name,
                      "marketplaceIds": [TR_MARKETPLACE_ID]})
    return 200, {"productTypes": found, "productTypeVersion": "SANDBOX.1"}


@bp.get("/_schemas/<product_type>")
def schema_document(product_type: str) -> Response:
    if product_type not in PRODUCT_TYPE_NAMES:
        return Response("Not found", status=404)
    return Response(_schema_bytes(product_type), mimetype="application/json")
