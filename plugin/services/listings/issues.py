"""Issues the plugin itself writes on a link: stored by key with their parameters, translated when shown."""
from __future__ import annotations

from ...i18n import gettext as _
from ...i18n import lazy_gettext as _l

OUR_ISSUES = {
    "missing_attributes": _l("Amazon requires these attributes for product type %(product_type)s and the product "
                             "has no value for them: %(names)s."),
    "no_product_type": _l("Amazon has no product with this EAN, and no product type is chosen for the category "
                          "“%(category)s”. Choose one in the category → product type settings."),
    "needs_content": _l("Amazon has no product with this EAN. Creating a new product sends its content, which the "
                        "automatic update type “%(type)s” does not send: choose All information or Product "
                        "information only."),
    "sold_under_other_sku": _l("You already sell this product on Amazon under the SKU %(sku)s; a second offer is not "
                               "created. Give the shop product that SKU to update it."),
    "needs_offer": _l("Amazon has a product with this EAN. An offer on it needs a price or stock, which the "
                      "automatic update type “%(type)s” does not send."),
    "price_not_positive": _l("The price Amazon would get is %(price)s: a price of zero or less is never sent. Check "
                             "the product's price in the shop and the price rule."),
    "price_jump": _l("The new price %(price)s is far from the price on Amazon now (%(current)s); it is not sent "
                     "until you confirm it (Fiyatı onayla)."),
    "no_ean": _l("The product has no EAN, so it cannot be matched with Amazon's catalog."),
    "feed_failed": _l("Amazon could not process the feed holding this product (%(status)s); it is sent again next "
                      "time."),
    "feed_lost": _l("Amazon did not confirm the feed holding this product and it never showed up there; the product "
                    "is sent again."),
    "not_on_amazon": _l("Amazon accepted this product but still does not show it hours later: it was not "
                        "created on Amazon. Check it in Seller Central; Link sends it again."),
    "feed_deadline": _l("Amazon had not processed the feed holding this product after %(hours)s hours; it is sent "
                        "again next time."),
}


def our_issue(key: str, **params) -> dict:
    return {"code": f"amazon_tr.{key}", "severity": "ERROR", "message": str(OUR_ISSUES[key] % params)
            if params else str(OUR_ISSUES[key]), "key": key, "params": params}


def issue_text(issue: dict) -> str:
    """An issue as the admin reads it: ours translated now, Amazon's as Amazon wrote it (tr_TR)."""
    key = issue.get("key")
    if key in OUR_ISSUES:
        return _(OUR_ISSUES[key]._message, **(issue.get("params") or {}))
    return str(issue.get("message") or issue.get("code") or "")
