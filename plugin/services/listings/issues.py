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


#: Amazon's issue categories (listings-items-2021-08-01.json, Issue.categories), explained in Turkish;
#: Amazon's own English message is never shown.
CATEGORY_TEXTS = {
    "INVALID_ATTRIBUTE": _l("Amazon found a value it cannot accept"),
    "MISSING_ATTRIBUTE": _l("Amazon requires information the product does not have"),
    "INVALID_IMAGE": _l("Amazon cannot use an image of the product"),
    "MISSING_IMAGE": _l("Amazon requires an image of the product"),
    "INVALID_PRICE": _l("Amazon cannot accept the price"),
    "MISSING_PRICE": _l("Amazon requires a price"),
    "DUPLICATE": _l("Amazon already has another listing for this product"),
    "QUALIFICATION_REQUIRED": _l("Amazon requires an approval to sell this product"),
}
#: Catalog conflicts (outcome.CATALOG_CONFLICT_CODES): the catalog page keeps its own content.
CONFLICT_TEXT = _l("Amazon's catalog keeps its own value")
OTHER_TEXT = _l("Amazon reported a problem with this product")
SEVERITY_TEXTS = {"ERROR": _l("Error"), "WARNING": _l("Warning"), "INFO": _l("Note")}


def _attribute(name: str, titles: dict[str, str]):
    from markupsafe import Markup
    title = titles.get(name)
    if not title:
        return Markup('<small class="amazon-tr-code">{}</small>').format(name)
    return Markup('{} <small class="amazon-tr-code">{}</small>').format(title, name)


def issue_html(issue: dict, titles: dict[str, str] | None = None, feed_status=None):
    """An issue as a Turkish admin reads it (Markup): ours translated; Amazon's as a Turkish explanation
    naming the attributes by the product type schema's tr_TR titles (the code in small print), then
    "Amazon'un mesajı: …" only when Amazon wrote it in Turkish (issueLocale=tr_TR), and Amazon's code."""
    from markupsafe import Markup, escape

    from ..messages import in_turkish_by_amazon
    titles = titles or {}
    key = issue.get("key")
    if key in OUR_ISSUES:
        params = dict(issue.get("params") or {})
        if key == "feed_failed" and feed_status is not None:
            label = feed_status(params.get("status"))  # Markup; the sentence is escaped whole below
            params["status"] = label.striptags() if hasattr(label, "striptags") else str(label)
        return escape(_(OUR_ISSUES[key]._message, **params))
    code = str(issue.get("code") or "")
    categories = [str(c) for c in issue.get("categories") or []]
    from .outcome import CATALOG_CONFLICT_CODES
    if code in CATALOG_CONFLICT_CODES:
        head = CONFLICT_TEXT
    else:
        head = next((CATEGORY_TEXTS[c] for c in categories if c in CATEGORY_TEXTS), OTHER_TEXT)
    names = [str(n) for n in issue.get("attributeNames") or []]
    text = escape(str(head))
    if names:
        text += Markup(": ") + Markup(", ").join(_attribute(n, titles) for n in names)
    text += Markup(".")
    message = str(issue.get("message") or "")
    if message and in_turkish_by_amazon(message):
        text += Markup(" ") + escape(_("Amazon's message: %(message)s", message=message))
    elif issue.get("requestId"):  # what Amazon's support asks for when its words are not Turkish
        text += Markup(" ") + escape(_("Amazon request id: %(id)s.", id=issue["requestId"]))
    if code:
        text += Markup(' <small class="amazon-tr-code">{} {}</small>').format(_("Amazon code"), code)
    return text
