"""API'yi test et: is this store's authorization good, and may it do what the plugin needs?

getMarketplaceParticipations decides success: Amazon.com.tr must be among the
participations, with ``participation.isParticipating`` true. Then one cheap call
per capability shows which role is missing; orders are probed with the same
``includedData`` the import asks for, so a missing restricted role (buyer
information, delivery address, tax data) is named as that role.
"""
from __future__ import annotations

import json
import logging
import math
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from markupsafe import Markup

from ..crypto import DecryptionFailed
from ..i18n import in_turkish
from ..i18n import lazy_gettext as _l
from ..models import Store
from ..spapi import (ForbiddenError, InvalidInputError, LWAError, NotFoundError, SPAPIError, ThrottledError,
                     UnauthorizedError)
from ..spapi.constants import MARKETPLACE_ID_TR
from . import messages, session, state
from .amazon import NotConfigured, calling_amazon
from .orders import INCLUDED_DATA
from .stores import store_of_seller

log = logging.getLogger("amazon_tr")

# The test must answer while the admin waits: short timeouts, and the retries are _attempt's own.
TEST_CLIENT_OPTIONS = {"max_retries": 0, "timeout": (5, 15), "max_wait": 5.0}
#: Two retries, the budget tests/fault_matrix.py holds the API test to.
ATTEMPTS = 3
BACKOFF_BASE, BACKOFF_CAP = 1.0, 5.0

# What a restricted role unlocks in the orders the import reads. Without the role Amazon still
# answers 200 and leaves the personal fields out (amzn/selling-partner-api-models#5300, Amazon's
# answer: "To unlock the full delivery address you need to apply to the Direct to Consumer Shipping
# role"), so the test looks at a recent merchant-fulfilled order in a state where Amazon shows them
# ("Access Orders PII": UNSHIPPED, PARTIALLY_SHIPPED or SHIPPED).
PII_STATUSES = ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED")
SAMPLE_DAYS = 30
SAMPLE_SIZE = 20
RESTRICTED_DATA = {
    "RECIPIENT": ("orders_address", lambda order: ((order.get("recipient") or {}).get("deliveryAddress") or {}).get("addressLine1"),
                  _l("Delivery address: Amazon sends orders without the delivery address (the application lacks the Direct-to-Consumer Shipping (Restricted) role). Orders would be imported without an address.")),
    "BUYER": ("orders_buyer", lambda order: (order.get("buyer") or {}).get("buyerName"),
              _l("Buyer information: Amazon sends orders without the buyer's name (the application lacks the Tax Invoicing (Restricted), Tax Remittance (Restricted) or Direct-to-Consumer Shipping (Restricted) role).")),
}


# Every message of a result is lazy: shown in the language of the page or command that reads it,
# stored in Turkish (i18n.in_turkish) so that the store page never shows a CLI run's English.
_ = _l


class Sentence:
    """Lazy messages said one after another (a headline, then Amazon's request id)."""

    def __init__(self, *parts) -> None:
        self.parts = [p for p in parts if p]

    def __str__(self) -> str:
        return " ".join(str(p) for p in self.parts)

    def __html__(self) -> str:
        return " ".join(p.__html__() if hasattr(p, "__html__") else str(Markup.escape(p)) for p in self.parts)

    def __contains__(self, item) -> bool:
        return item in str(self)

    def turkish(self) -> str:
        return " ".join(_stored(p) for p in self.parts)


def _stored(message) -> str:
    """A message as the database keeps it: in Turkish."""
    if isinstance(message, Sentence):
        return message.turkish()
    return in_turkish(message) if hasattr(message, "_message") else str(message)


@dataclass
class Check:
    key: str
    status: str  # ok, fail, unknown
    message: object  # a lazy message (str when read back from the database)


@dataclass
class ApiTestResult:
    ok: bool
    # ok, not_authorized, revoked, partner_mismatch, seller_taken, not_in_turkey, not_participating,
    # client_secret, throttled, timeout, network, unavailable, denied, …
    reason: str
    message: object  # a lazy message (str when read back from the database)
    store_name: str | None = None
    retry_after: int | None = None
    checks: list[Check] = field(default_factory=list)


def _failure_for(exc: Exception) -> tuple[str, str, int | None]:
    """(reason, Turkish text, seconds to wait) of a failed test, in the words services.messages uses everywhere."""
    reason = messages.kind_of(exc)
    if reason == "unexpected":
        raise exc
    wait = max(1, math.ceil(exc.retry_after or 60)) if isinstance(exc, ThrottledError) else None
    return reason, Sentence(messages.headline(exc, "connection"), *messages.answer_parts(exc)), wait


def _attempt(call):
    """``call()`` with up to two retries of what may pass.

    A retry the client's own pacing refuses (the bucket is empty: each failed attempt spent a
    token) reports the failure that made the test retry, not a limit: a timeout stays a timeout.
    """
    last = None
    for attempt in range(ATTEMPTS):
        try:
            return call()
        except ThrottledError as exc:
            if exc.status is None and last is not None:
                raise last from None
            error = exc
        except SPAPIError as exc:
            error = exc
        if not error.retryable or attempt == ATTEMPTS - 1:
            raise error
        last = error
        pause = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt)
        if getattr(error, "retry_after", None):
            pause = max(pause, min(float(error.retry_after), BACKOFF_CAP))
        state().clock.sleep(pause)
    raise AssertionError("unreachable")


def _could_not_check(key: str, exc: SPAPIError) -> Check:
    # Amazon's own words only when Amazon wrote them in Turkish; otherwise the request id (messages.answer_parts).
    return Check(key, "unknown", Sentence(_("Could not be checked:"), messages.headline(exc, "connection"),
                                          *messages.answer_parts(exc)))


def _probe(key: str, call, ok_text, missing_text) -> Check:
    try:
        _attempt(call)
    except (NotFoundError, InvalidInputError):
        # The request was authorized and understood; the probe simply does not exist.
        return Check(key, "ok", ok_text)
    except (ForbiddenError, UnauthorizedError):
        return Check(key, "fail", missing_text)
    except LWAError:
        raise  # the token itself: the whole test fails with it
    except SPAPIError as exc:
        return _could_not_check(key, exc)
    return Check(key, "ok", ok_text)


def _orders_checks(client) -> list[Check]:
    """Orders as the import reads them (its includedData), and which restricted role their data lacks."""
    since = state().clock.now() - timedelta(days=SAMPLE_DAYS)
    orders: list[dict] = []

    def search():
        page = iter(client.search_orders(created_after=since, fulfillment_statuses=PII_STATUSES,
                                         included_data=list(INCLUDED_DATA), max_results=SAMPLE_SIZE))
        orders[:] = (next(page, None) or {}).get("orders") or []

    check = _probe("orders", search, _l("Orders: Amazon orders can be read."), _l(
        "Orders: the application has no access to orders (the Inventory and Order Tracking role is missing in Seller Central)."))
    if check.status != "ok":
        return [check]
    sample = next((o for o in orders if (o.get("fulfillment") or {}).get("fulfilledBy") == "MERCHANT"
                   and (o.get("fulfillment") or {}).get("fulfillmentStatus") in PII_STATUSES), None)
    if sample is None:
        return [check]  # no order to judge the restricted roles by; the import will show it
    return [check] + [Check(key, "fail", text) for section, (key, present, text) in RESTRICTED_DATA.items()
                      if section in INCLUDED_DATA and not present(sample)]


def _capability(key: str, call) -> Check:
    labels = {
        "listings": (_l("Products: listings can be created and updated."),
                     _l("Products: the application has no access to listings (the Product Listing role is missing).")),
        "feeds": (_l("Bulk updates: feeds can be sent."),
                  _l("Bulk updates: the application has no access to feeds (the Product Listing role is missing).")),
    }
    ok_text, missing_text = labels[key]
    return _probe(key, call, ok_text, missing_text)


def run_api_test(store: Store) -> ApiTestResult:
    result = _run(store)
    _record(store, result)
    return result


def _before_amazon(store: Store) -> ApiTestResult | None:
    """What fails the test without a call to Amazon."""
    auth = store.authorization_state(state().clock.now())
    if auth == "none":
        return ApiTestResult(False, "not_authorized", _("The store is not authorized yet. Click Authorize first."))
    if auth == "revoked":
        return ApiTestResult(False, "revoked", _("Amazon no longer accepts this store's authorization (it was revoked or has expired). Authorize again."))
    if auth == "mismatch":
        return ApiTestResult(False, "partner_mismatch", _(
            "This store was authorized by the Amazon seller %(partner)s, but its Seller ID is %(seller)s: its orders would be another seller's. Authorize again, signed in to Seller Central with the account of %(seller)s.",
            partner=store.selling_partner_id, seller=store.seller_id))
    other = store_of_seller(store.seller_id, exclude_id=store.id)
    if other is not None:
        return ApiTestResult(False, "seller_taken", _(
            "The store “%(name)s” has the same Seller ID, so both would import the same Amazon orders. Delete one of the two stores.",
            name=other.name))
    return None


def _run(store: Store) -> ApiTestResult:
    refused = _before_amazon(store)
    if refused is not None:
        return refused
    try:
        with calling_amazon(store, **TEST_CLIENT_OPTIONS) as client:
            participations = _attempt(client.get_marketplace_participations)
            turkey = [p for p in participations if (p.get("marketplace") or {}).get("id") == MARKETPLACE_ID_TR]
            if not turkey:
                names = ", ".join(sorted({(p.get("marketplace") or {}).get("name", "?") for p in participations}))
                return ApiTestResult(False, "not_in_turkey", _(
                    "This seller account does not sell on Amazon.com.tr (it sells on: %(markets)s). Check the Seller ID and authorize with your Amazon Türkiye account.",
                    markets=names or "—"))
            store_name = turkey[0].get("storeName")
            if (turkey[0].get("participation") or {}).get("isParticipating") is False:
                # Sellers API: "isParticipating: If true, the seller participates in the marketplace".
                return ApiTestResult(False, "not_participating", _(
                    "The seller account “%(name)s” is registered on Amazon.com.tr but does not take part in it at the moment (isParticipating: false), so nothing can be sold or imported there. Check the account's status in Seller Central (Account Health, Account Info).",
                    name=store_name or "—"), store_name=store_name)
            probe_sku = f"AMAZON-TR-API-TEST-{secrets.token_hex(4)}"
            checks = _orders_checks(client) + [
                _capability("listings", lambda: client.get_listings_item(probe_sku)),
                _capability("feeds", lambda: client.get_feed("0")),
            ]
    except NotConfigured as exc:
        return ApiTestResult(False, "not_configured", _("The setting %(setting)s is missing; ask your developer to set it.", setting=exc.setting))
    except DecryptionFailed:
        return ApiTestResult(False, "key_changed", _("The stored authorization cannot be read with the current encryption key. Authorize again."))
    except Exception as exc:  # noqa: BLE001 - every Amazon failure becomes a sentence; others re-raise
        reason, message, wait = _failure_for(exc)
        log.info("API test of store %s failed: %s", store.id, reason)
        return ApiTestResult(False, reason, message, retry_after=wait)
    missing = [c for c in checks if c.status != "ok"]
    if missing:
        message = _("Connected to Amazon.com.tr as “%(name)s”, but some permissions are missing.", name=store_name or "—")
    else:
        message = _("Connection successful: Amazon.com.tr store “%(name)s”.", name=store_name or "—")
    return ApiTestResult(True, "ok", message, store_name=store_name, checks=checks)


def _record(store: Store, result: ApiTestResult) -> None:
    db = session()
    store = db.merge(store)
    store.last_test_at = state().clock.now()
    store.last_test_ok = result.ok
    store.last_test_message = _stored(result.message)
    details = {"ok": result.ok, "reason": result.reason, "message": _stored(result.message),
               "store_name": result.store_name, "retry_after": result.retry_after}
    details["checks"] = [{"key": c.key, "status": c.status, "message": _stored(c.message)} for c in result.checks]
    store.last_test_details = json.dumps(details, ensure_ascii=False)
    db.commit()


def last_result(store: Store) -> ApiTestResult | None:
    if not store.last_test_details:
        return None
    data = json.loads(store.last_test_details)
    data["checks"] = [Check(**c) for c in data.get("checks", [])]
    return ApiTestResult(**data)
