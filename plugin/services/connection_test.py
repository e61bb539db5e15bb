"""API'yi test et: is this store's authorization good, and may it do what the plugin needs?

getMarketplaceParticipations decides success (Amazon.com.tr must be among the
participations); then one cheap call per capability shows which role is missing.
"""
from __future__ import annotations

import json
import logging
import math
import secrets
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from ..crypto import DecryptionFailed
from ..i18n import gettext as _
from ..models import Store
from ..spapi import ForbiddenError, InvalidInputError, NotFoundError, SPAPIError, ThrottledError, UnauthorizedError
from ..spapi.constants import MARKETPLACE_ID_TR
from . import messages, session, state
from .amazon import NotConfigured, calling_amazon

log = logging.getLogger("amazon_tr")

# The test must answer while the admin waits: few retries, short timeouts.
TEST_CLIENT_OPTIONS = {"max_retries": 2, "timeout": (5, 15), "backoff_cap": 5.0, "max_wait": 5.0}


@dataclass
class Check:
    key: str
    status: str  # ok, fail, unknown
    message: str


@dataclass
class ApiTestResult:
    ok: bool
    reason: str  # ok, not_authorized, revoked, expired, not_in_turkey, throttled, unavailable, network, denied, ...
    message: str
    store_name: str | None = None
    retry_after: int | None = None
    checks: list[Check] = field(default_factory=list)


def _failure_for(exc: Exception) -> tuple[str, str, int | None]:
    """(reason, Turkish text, seconds to wait) of a failed test, in the words services.messages uses everywhere."""
    reason = messages.kind_of(exc)
    if reason == "unexpected":
        raise exc
    wait = max(1, math.ceil(exc.retry_after or 60)) if isinstance(exc, ThrottledError) else None
    return reason, messages.explain(exc, "connection"), wait


def _amazon_message(exc: SPAPIError) -> str:
    messages = getattr(exc, "messages", None) or [str(exc)]
    return "; ".join(str(m) for m in messages)


def _capability(key: str, call) -> Check:
    labels = {
        "orders": (_("Orders: Amazon orders can be read."),
                   _("Orders: the application has no access to orders (the Orders role is missing in Seller Central).")),
        "listings": (_("Products: listings can be created and updated."),
                     _("Products: the application has no access to listings (the Product Listing role is missing).")),
        "feeds": (_("Bulk updates: feeds can be sent."),
                  _("Bulk updates: the application has no access to feeds (the Product Listing role is missing).")),
    }
    ok_text, missing_text = labels[key]
    try:
        call()
    except (NotFoundError, InvalidInputError):
        # The request was authorized and understood; the probe simply does not exist.
        return Check(key, "ok", ok_text)
    except (ForbiddenError, UnauthorizedError):
        return Check(key, "fail", missing_text)
    except SPAPIError as exc:
        return Check(key, "unknown", _("Could not be checked: %(message)s", message=_amazon_message(exc)))
    return Check(key, "ok", ok_text)


def run_api_test(store: Store) -> ApiTestResult:
    result = _run(store)
    _record(store, result)
    return result


def _run(store: Store) -> ApiTestResult:
    auth = store.authorization_state(state().clock.now())
    if auth == "none":
        return ApiTestResult(False, "not_authorized", _("The store is not authorized yet. Click Authorize first."))
    if auth == "revoked":
        return ApiTestResult(False, "revoked", _("Amazon no longer accepts this store's authorization (it was revoked or has expired). Authorize again."))
    if auth == "expired":
        return ApiTestResult(False, "expired", _("The authorization has expired (Amazon asks for it every 365 days). Authorize again."))
    try:
        with calling_amazon(store, **TEST_CLIENT_OPTIONS) as client:
            participations = client.get_marketplace_participations()
            turkey = [p for p in participations if (p.get("marketplace") or {}).get("id") == MARKETPLACE_ID_TR]
            if not turkey:
                names = ", ".join(sorted({(p.get("marketplace") or {}).get("name", "?") for p in participations}))
                return ApiTestResult(False, "not_in_turkey", _(
                    "This seller account does not sell on Amazon.com.tr (it sells on: %(markets)s). Check the Seller ID and authorize with your Amazon Türkiye account.",
                    markets=names or "—"))
            store_name = turkey[0].get("storeName")
            since = state().clock.now() - timedelta(days=1)
            probe_sku = f"AMAZON-TR-API-TEST-{secrets.token_hex(4)}"
            checks = [
                _capability("orders", lambda: next(iter(client.search_orders(created_after=since, max_results=1)), None)),
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
    store.last_test_message = result.message
    store.last_test_details = json.dumps(asdict(result), ensure_ascii=False)
    db.commit()


def last_result(store: Store) -> ApiTestResult | None:
    if not store.last_test_details:
        return None
    data = json.loads(store.last_test_details)
    data["checks"] = [Check(**c) for c in data.get("checks", [])]
    return ApiTestResult(**data)
