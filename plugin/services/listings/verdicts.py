"""Amazon's own verdict in the Önizleme: the requests a push would send, with ``mode=VALIDATION_PREVIEW``.

putListingsItem and patchListingsItem take ``mode=VALIDATION_PREVIEW``: "Indicates the submitted data
should be validated without persisting to the selling partner's catalog", and answer VALID ("Only
returned when the mode is VALIDATION_PREVIEW") or INVALID with the issues (listings-items-2021-08-01.json).

For a sample of up to SAMPLE SKUs the push's own steps build the requests (sending.planned_work
and its price check), so what is previewed is what would be sent;
then the session is rolled back: the preview stores nothing, here or on Amazon. A SKU Amazon
cannot take in a URL path would go in a JSON_LISTINGS_FEED, which has no preview mode, and one the
plugin itself would refuse (no EAN, a price held for the admin...) gets the plugin's reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...i18n import gettext as _
from ...spapi import ThrottledError
from .. import messages
from ..amazon import calling_amazon
from . import inventory, values
from .changes import load_links
from .push import BUTTON_CLIENT_OPTIONS, find_store
from .pusher import Pusher
from .sending import planned_work, price_is_sendable
from .settings import blocked_reason
from .work import Work

#: SKUs whose requests go to Amazon for its verdict (each one call, at 5/s with a burst of 10).
SAMPLE = 20
MODE = "VALIDATION_PREVIEW"


@dataclass
class Verdict:
    """Amazon's answer (valid, invalid), or why Amazon was not asked (ours, feed_only)."""

    kind: str
    issues: list[dict] = field(default_factory=list)
    op: str | None = None  # put or patch


@dataclass
class Verdicts:
    by_sku: dict[str, Verdict] = field(default_factory=dict)
    error: str | None = None  # why Amazon gave no (or not every) verdict


def amazon_verdicts(store_id: int, *, update_type: str, skus: list[str]) -> Verdicts:
    """Amazon's verdict on what the next push would send for ``skus`` (the first SAMPLE), applying nothing."""
    out = Verdicts()
    skus = list(dict.fromkeys(skus))[:SAMPLE]
    store = find_store(store_id)
    reason = blocked_reason(store)
    if reason in ("passive", "unauthorized"):
        out.error = _("Amazon was not asked: the store is passive or not authorized.")
        return out
    if inventory.read_at(store_id) is None:
        out.error = _("Amazon was not asked: read your listings on Amazon first (Amazon'daki mevcut ilanlar).")
        return out
    if not skus:
        return out
    pusher = None
    try:
        with calling_amazon(store, **BUTTON_CLIENT_OPTIONS) as client:
            pusher = Pusher(store, client, None, max_wait=BUTTON_CLIENT_OPTIONS["max_wait"])
            pusher.parts = values.TYPE_PARTS[update_type]
            for item in _work(pusher, skus, out):
                out.by_sku[item.link.sku] = _ask(client, item)
    except ThrottledError:
        out.error = _("Amazon's request limit was reached: not every product has Amazon's verdict. Try again in a "
                      "moment.")
    except messages.AMAZON_FAILURES as exc:
        out.error = messages.explain(exc, "products")
    finally:
        # the push's steps wrote links (new ones, provisional ASINs, refusals): the preview keeps none of it
        if pusher is not None:
            pusher.db.rollback()
    return out


def _work(pusher: Pusher, skus: list[str], out: Verdicts) -> list[Work]:
    """The push's own requests for these SKUs; SKUs the plugin itself would not send get its reason."""
    _products, to_link, work = planned_work(pusher, skus)
    sendable = [item for item in work if price_is_sendable(pusher, item)]
    sent = {item.link.sku for item in sendable}
    refused = [p.sku for p in to_link] + [item.link.sku for item in work if item.link.sku not in sent]
    for sku, link in load_links(pusher, [sku for sku in refused if sku not in sent]).items():
        if link.state == "error" and link.issues:
            out.by_sku[sku] = Verdict("ours", link.issues)
    return sorted(sendable, key=lambda item: skus.index(item.link.sku) if item.link.sku in skus else len(skus))


def _ask(client, item: Work) -> Verdict:
    if not values.sku_fits_a_path(item.link.sku):
        return Verdict("feed_only", op=item.op)
    if item.op == "put":
        answer = client.put_listings_item(item.link.sku, product_type=item.product_type, attributes=item.attributes,
                                          requirements=item.requirements, mode=MODE)
    else:
        answer = client.patch_listings_item(item.link.sku, product_type=item.product_type, patches=item.patches,
                                            mode=MODE)
    status = answer.get("status")
    return Verdict("valid" if status == "VALID" else "invalid", answer.get("issues") or [], item.op)
