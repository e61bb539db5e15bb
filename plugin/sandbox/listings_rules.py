"""What Amazon does with a valid submission beyond storing it, each rule with its source.

- 8541: content that contradicts the catalog page the identifiers point at rejects the whole
  submission, offer included.
- Content from a seller who does not own the brand of a brand-registry page is accepted, but
  the page keeps the brand's content.
- ``fulfillment_availability`` with DEFAULT sent to an Amazon-fulfilled (FBA) SKU adds a
  merchant-fulfilled record beside Amazon's instead of replacing it.
- Issues can appear on an ACCEPTED listing later, after Amazon's processing.
"""
from __future__ import annotations

import copy
from typing import Any

from .seed import CONTENT_ATTRIBUTES
from .state import SandboxState

#: What the sandbox's catalog holds of a page, by listing attribute: the values 8541 compares.
CATALOG_VALUES = {"item_name": "title", "brand": "brand"}

#: Assumption, no Amazon code found: Amazon documents no issue for a contribution that does not
#: win the detail page ("We do not guarantee that the submission you made on the SKU will show
#: up on the ASIN as there might be other contribution winner for those attributes",
#: amzn/selling-partner-api-models#4028). The sandbox says so with a WARNING under this
#: deliberately non-numeric code, so nobody mistakes it for one of Amazon's.
NOT_APPLIED_CODE = "CONTRIBUTION_NOT_APPLIED"


def issue(code: str, message: str, severity: str, attributes: list[str] | None = None,
          category: str = "INVALID_ATTRIBUTE") -> dict:
    out: dict[str, Any] = {"code": code, "message": message, "severity": severity, "categories": [category]}
    if attributes:
        out["attributeNames"] = attributes
    return out


def tr(locale: str | None) -> bool:
    return (locale or "").lower().startswith("tr")


def first_value(attrs: dict, name: str) -> Any:
    for entry in attrs.get(name) or []:
        if isinstance(entry, dict) and "value" in entry:
            return entry["value"]
    return None


def _owned_by(item: dict, seller_id: str) -> bool:
    return bool(item.get("brandOwner")) and item["brandOwner"] == seller_id


def catalog_conflicts(item: dict | None, seller_id: str, new_attrs: dict, submitted: set[str],
                      locale: str | None) -> list[dict]:
    """8541 ERRORs: submitted values that contradict the page, for a seller not owning its brand.

    The message follows Amazon's ("The SKU data provided conflicts with the Amazon catalog. The
    standard_product_id value(s) provided correspond to the ASIN ..., but some information
    contradicts with the Amazon catalog. The following are the attribute value(s) that are
    conflicting: size (Merchant: ... / Amazon: ...)": integrators' reports quoting it, e.g.
    help.linnworks.com "Amazon errors when listing", and amzn/selling-partner-api-models#4969).
    Only pages made with ``rejects_conflicts`` defend their values, brand and title (the brand
    one is also the "You may not change the brand name on this ASIN" refusal of
    amzn/selling-partner-api-models#4876); a brand-registry page that takes other sellers'
    offers (``content_locked``) accepts their content without showing it instead (below).
    Assumptions: one issue per conflicting attribute, values compared without case or
    surrounding spaces.
    """
    if not item or _owned_by(item, seller_id):
        return []
    out = []
    for name in ("brand", "item_name") if item.get("rejectsConflicts") else ():
        sent = first_value(new_attrs, name) if name in submitted else None
        amazon = item.get(CATALOG_VALUES[name])
        if sent is None or amazon is None or str(sent).strip().casefold() == str(amazon).strip().casefold():
            continue
        if tr(locale):
            msg = (f"Gönderdiğiniz ürün bilgileri Amazon kataloğuyla çelişiyor. Verdiğiniz tanımlayıcılar "
                   f"{item['asin']} ASIN'ine karşılık geliyor, ancak bazı bilgiler Amazon kataloğundakiyle "
                   f"çelişiyor: {name} (Satıcı: '{sent}' / Amazon: '{amazon}'). Ürününüz bu ASIN ise "
                   f"verilerinizi Amazon kataloğundaki değerlere göre düzeltin; değilse tanımlayıcılarınızı "
                   f"kontrol edin.")
        else:
            msg = (f"The SKU data provided conflicts with the Amazon catalog. The standard_product_id value(s) "
                   f"provided correspond to the ASIN {item['asin']}, but some information contradicts with "
                   f"the Amazon catalog. The following are the attribute value(s) that are conflicting: "
                   f"{name} (Merchant: '{sent}' / Amazon: '{amazon}'). If your product is this ASIN, modify "
                   f"your data to reflect the Amazon catalog values. Otherwise, check your value(s) for "
                   f"standard_product_id are correct.")
        out.append(issue("8541", msg, "ERROR", [name]))
    return out


def contributions_not_applied(item: dict | None, seller_id: str, before: dict, new_attrs: dict,
                              submitted: set[str], locale: str | None) -> list[dict]:
    """WARNINGs for content a brand-registry page will not show: the listing keeps the seller's
    values (the SKU holds what was sent, amzn/selling-partner-api-models#4028), the page and so
    the listing's summaries.itemName keep the brand's (see listings_view.py)."""
    if not item or not item.get("contentLocked") or _owned_by(item, seller_id):
        return []
    out = []
    for name in sorted(CONTENT_ATTRIBUTES & submitted):
        on_page = item.get(CATALOG_VALUES[name]) if name in CATALOG_VALUES else None
        sent = first_value(new_attrs, name)
        unchanged = (str(sent).strip().casefold() == str(on_page).strip().casefold() if on_page is not None
                     else new_attrs.get(name) == before.get(name))
        if name not in new_attrs or unchanged:
            continue
        msg = (f"{item['asin']} ürün sayfasının içeriği marka sahibinin denetiminde; '{name}' için "
               f"gönderdiğiniz değer kabul edildi ancak sayfada gösterilmeyecek. Teklif bilgileri "
               f"(fiyat, stok) ayrıca işlenir." if tr(locale) else
               f"The catalog content of {item['asin']} is controlled by its brand owner; your value for "
               f"'{name}' was accepted but will not be shown on the page. Offer data (price, quantity) "
               f"is processed separately.")
        out.append(issue(NOT_APPLIED_CODE, msg, "WARNING", [name]))
    return out


def channel(entry: Any) -> str:
    return entry.get("fulfillment_channel_code", "DEFAULT") if isinstance(entry, dict) else ""


def keep_amazon_channels(before: dict, new_attrs: dict) -> None:
    """An FBA SKU keeps Amazon's fulfillment record whatever the submission says of DEFAULT.

    Amazon's docs: a listing may carry fulfillment records for more than one channel, MFN
    ("DEFAULT") and FBA ("AMAZON_NA", "AMAZON_EU"...) ("Manage Amazon Haul, Advanced
    Multiple-Offer, and Multiple-Fulfillment Use Cases", developer-docs.amazon.com). So DEFAULT
    sent to an Amazon-fulfilled SKU adds a second, merchant-fulfilled offer beside the FBA one
    (issue 13 and integrators' reports). Assumption: Amazon manages the FBA record, so a PUT,
    replace or delete that omits it leaves it in place; the same channel sent again replaces it.
    """
    amazon = [e for e in before.get("fulfillment_availability") or [] if channel(e) not in ("", "DEFAULT")]
    if not amazon:
        return
    sent = [e for e in new_attrs.get("fulfillment_availability") or [] if isinstance(e, dict)]
    named = {channel(e) for e in sent}
    new_attrs["fulfillment_availability"] = [copy.deepcopy(e) for e in amazon if channel(e) not in named] + sent


# -- issues after ACCEPTED ------------------------------------------------------------------

#: Ready-made asynchronous issues for the control API. Amazon: "If the submission passes the
#: initial synchronous validations, the submission is accepted ... Multiple downstream processes
#: ... can generate issues that return asynchronously" ("Manage Listings Issues",
#: developer-docs.amazon.com). "invalid_attribute" is the one an integrator saw on
#: getListingsItem after an ACCEPTED put with no issues (code 8015, INVALID_ATTRIBUTE,
#: amzn/selling-partner-api-models#3987); the enforcement is the model's LISTING_SUPPRESSED,
#: which "takes down the current listing item's buyability". "missing_recommended" is an
#: assumption: no Amazon code found for a missing recommended attribute, hence the
#: non-numeric code.
ISSUE_KINDS = {
    "invalid_attribute": ("8015", "ERROR", "INVALID_ATTRIBUTE", "color",
                          "The data you provided for an attribute is invalid. Please refer the data "
                          "definitions and resubmit with a valid value."),
    "missing_recommended": ("MISSING_RECOMMENDED_ATTRIBUTE", "WARNING", "MISSING_ATTRIBUTE", "bullet_point",
                            "A recommended attribute is missing; adding it helps shoppers find the item."),
}


def make_issue(kind: str | None = None, *, code: str | None = None, severity: str | None = None,
               message: str | None = None, attribute: str | None = None) -> dict:
    if kind is not None and kind not in ISSUE_KINDS:
        raise ValueError(f"kind must be one of {sorted(ISSUE_KINDS)}")
    k_code, k_sev, k_cat, k_attr, k_msg = ISSUE_KINDS.get(kind or "", (None, None, "INVALID_ATTRIBUTE", None, None))
    severity = severity or k_sev
    if severity not in ("ERROR", "WARNING", "INFO") or not (code or k_code) or not (message or k_msg):
        raise ValueError("give a kind, or code, severity (ERROR, WARNING or INFO) and message")
    out = issue(str(code or k_code), str(message or k_msg), severity, [attribute or k_attr] if
                (attribute or k_attr) else None, k_cat)
    if severity == "ERROR":
        out["enforcements"] = {"actions": [{"action": "LISTING_SUPPRESSED"}],
                               "exemption": {"status": "NOT_EXEMPT"}}
    return out


def arm_issue(state: SandboxState, found: dict, *, seller_id: str, sku: str | None, after: float,
              count: int = 1) -> str:
    """Attach ``found`` to ``sku`` now if it has a listing, else to the next ``count`` ACCEPTED
    submissions (of ``sku`` if named); it becomes visible ``after`` seconds later."""
    if after < 0 or count < 1:
        raise ValueError("after must not be negative and count at least 1")
    with state.lock:
        listing = state.listings.get(seller_id, {}).get(sku) if sku else None
        if listing is not None:
            listing.setdefault("asyncIssues", []).append({**found, "_visibleAt": state.now_ts() + after})
            state.listings_changed()
            return "attached"
        state.armed_issues.append({"seller": seller_id, "sku": sku, "issue": found, "after": after,
                                   "count": count})
        return "armed"


def after_accepted(state: SandboxState, seller_id: str, sku: str, listing: dict, submitted: set[str]) -> None:
    """Resolve the asynchronous issues the submission answers, then attach any armed ones.

    Assumption: an issue naming only attributes the seller has just sent again is resolved;
    Amazon re-evaluates the listing after processing ("Manage Listings Issues")."""
    kept = [i for i in listing.get("asyncIssues", [])
            if not i.get("attributeNames") or not set(i["attributeNames"]) <= submitted]
    for rule in list(state.armed_issues):
        if rule["seller"] == seller_id and rule["sku"] in (None, sku):
            kept.append({**copy.deepcopy(rule["issue"]), "_visibleAt": state.now_ts() + rule["after"]})
            rule["count"] -= 1
            if rule["count"] <= 0:
                state.armed_issues.remove(rule)
    if kept:
        listing["asyncIssues"] = kept
    else:
        listing.pop("asyncIssues", None)


def visible_issues(listing: dict, now: float) -> list[dict]:
    later = [{k: v for k, v in i.items() if k != "_visibleAt"} for i in listing.get("asyncIssues", [])
             if i.get("_visibleAt", 0) <= now]
    return copy.deepcopy(listing.get("issues", [])) + copy.deepcopy(later)
