"""Amazon's failures in Turkish: the one place that turns an error into words for shop staff.

Orders, shipments, product pushes and the API test all describe a failed call the
same way: what happened, in Turkish, from the kind of failure (``kind_of``), then
Amazon's own message when Amazon wrote it in Turkish, and the request id (``amazon_answer``). A subject ("orders", "products",
"shipments", "connection") only changes the sentence where the subject matters
(a refused role, a missing order).
"""
from __future__ import annotations

import math

from ..crypto import DecryptionFailed, EncryptionKeyInvalid, EncryptionKeyMissing
from ..i18n import in_turkish
from ..i18n import lazy_gettext as _l
from ..spapi import (
    AuthorizationRevokedError,
    ForbiddenError,
    InvalidInputError,
    LWAError,
    NetworkError,
    NotFoundError,
    ServerError,
    SPAPIError,
    ThrottledError,
    UnauthorizedError,
)
from ..spapi.errors import InvalidClientError
from .amazon import NotAuthorized, NotConfigured

#: What a call to Amazon for a page or a button may end in besides an answer: Amazon's errors, a store
#: that may not call (not authorized, settings missing) or a stored grant no configured key reads. Each
#: has a Turkish explanation here (``explain``); a page catches these, never a bare SPAPIError only.
AMAZON_FAILURES = (SPAPIError, NotAuthorized, NotConfigured, DecryptionFailed, EncryptionKeyMissing,
                   EncryptionKeyInvalid)

SUBJECTS = ("orders", "products", "shipments", "connection")

# invalid_client: the application's LWA secret, not the seller's grant (Amazon expires it after 180 days).
CLIENT_SECRET = _l("Login with Amazon refused the application's client secret (invalid_client). Amazon requires the LWA client secret to be rotated every 180 days: rotate it in Seller Central (Develop Apps → LWA credentials), put the new secret in AMAZON_TR_LWA_CLIENT_SECRET and restart the shop. Sellers do not need to authorize again.")

# What a refused role means for each subject (HTTP 403 or 401 from the SP-API).
_DENIED = {
    "orders": _l("Amazon refused access to orders: the application may lack the orders role."),
    "products": _l("Amazon refused access to listings: the application may lack the product listing role."),
    "shipments": _l("Amazon refused the shipment confirmation: the application may lack the orders role."),
    "connection": _l("Amazon refused access to this store with the current authorization."),
}
_NOT_FOUND = {
    "orders": _l("Amazon could not find the order."),
    "products": _l("Amazon could not find the product."),
    "shipments": _l("Amazon could not find the order."),
    "connection": _l("Amazon could not find what was asked for."),
}
_UNEXPECTED = {
    "orders": _l("Orders could not be imported because of an unexpected error."),
    "products": _l("The products could not be sent because of an unexpected error."),
    "shipments": _l("The shipment could not be confirmed because of an unexpected error."),
    "connection": _l("The connection could not be tested because of an unexpected error."),
}


def kind_of(exc: BaseException) -> str:
    """A short code for the failure: revoked, client_secret, lwa, throttled, timeout, network, unavailable,
    denied, not_found, invalid, not_configured, no_key, error (another Amazon error) or
    unexpected (not Amazon's doing)."""
    if isinstance(exc, (AuthorizationRevokedError, NotAuthorized)):
        return "revoked"
    if isinstance(exc, InvalidClientError):
        return "client_secret"
    if isinstance(exc, LWAError):
        return "lwa"
    if isinstance(exc, ThrottledError):
        return "throttled"
    if isinstance(exc, NetworkError):
        return "timeout" if "timeout" in exc.message.lower() or "timed out" in exc.message.lower() else "network"
    if isinstance(exc, ServerError):
        return "unavailable"
    if isinstance(exc, (ForbiddenError, UnauthorizedError)):
        return "denied"
    if isinstance(exc, NotFoundError):
        return "not_found"
    if isinstance(exc, InvalidInputError):
        return "invalid"
    if isinstance(exc, NotConfigured):
        return "not_configured"
    if isinstance(exc, (EncryptionKeyMissing, EncryptionKeyInvalid, DecryptionFailed)):
        return "no_key"
    if isinstance(exc, SPAPIError):
        return "error"
    return "unexpected"


def headline(exc: BaseException, subject: str):
    """What happened, as a lazy Turkish message (translated where it is shown or stored)."""
    if subject not in SUBJECTS:
        raise ValueError(f"unknown subject {subject!r}")
    kind = kind_of(exc)
    if kind == "revoked":
        return _l("Amazon no longer accepts this store's authorization: authorize the store again.")
    if kind == "client_secret":
        return CLIENT_SECRET
    if kind == "lwa":
        return _l("Login with Amazon refused the token request.")
    if kind == "throttled":
        wait = getattr(exc, "retry_after", None)
        if subject == "connection":
            return _l("Amazon is limiting requests right now. Try again in %(seconds)d seconds.",
                      seconds=max(1, math.ceil(wait or 60)))
        if subject == "orders":
            return _l("Amazon's request limit was reached; the next import continues where this one stopped.")
        return _l("Amazon's request limit was reached; the next run continues where this one stopped.")
    if kind == "timeout":
        return _l("Amazon did not answer in time (timeout); try again in a little while.")
    if kind == "network":
        return _l("Amazon could not be reached (network error). Check the server's internet connection and try again.")
    if kind == "unavailable":
        return _l("Amazon's service is not available at the moment. Try again in a few minutes.")
    if kind == "denied":
        return _DENIED[subject]
    if kind == "not_found":
        return _NOT_FOUND[subject]
    if kind == "invalid":
        return _l("Amazon rejected the request.")
    if kind == "not_configured":
        return _l("The application's Amazon settings are missing (%(setting)s).", setting=exc.setting)
    if kind == "no_key":
        return _l("The stored authorization cannot be read with the current encryption key.")
    if kind == "error":
        return _l("Amazon answered with an error.")
    return _UNEXPECTED[subject]


# Letters only Turkish text has (of the alphabets Amazon answers in for Amazon.com.tr). Amazon writes
# its messages in English unless the request asked for Turkish (issueLocale=tr_TR where the API takes it:
# Listings Items API "issueLocale", developer-docs.amazon.com); an English message is never shown to shop
# staff, only the request id they quote to Amazon's support.
_TURKISH_LETTERS = frozenset("çğıöşüÇĞİÖŞÜ")


def in_turkish_by_amazon(text: str) -> bool:
    """Whether Amazon wrote ``text`` in Turkish (it has a letter only Turkish has)."""
    return any(ch in _TURKISH_LETTERS for ch in text or "")


def amazon_said(exc: BaseException) -> str:
    """Amazon's own message, when Amazon wrote it in Turkish; empty otherwise."""
    if not isinstance(exc, SPAPIError):
        return ""
    said = "; ".join(m for m in exc.messages if in_turkish_by_amazon(m))
    if not said and isinstance(exc, LWAError) and in_turkish_by_amazon(exc.error_description or ""):
        said = exc.error_description
    return said


def answer_parts(exc: BaseException) -> list:
    """What shop staff may quote to Amazon's support, as lazy messages: Amazon's message when it is
    in Turkish ("Amazon'un mesajı: …"), and the request id. Never Amazon's English (nor codes, statuses)."""
    if not isinstance(exc, SPAPIError):
        return []
    parts = []
    said = amazon_said(exc)
    if said:
        parts.append(_l("Amazon's message: %(message)s", message=said))
    if exc.request_id:
        parts.append(_l("Amazon request id: %(id)s.", id=exc.request_id))
    return parts


def amazon_answer(exc: BaseException) -> str:
    """``answer_parts`` as stored text (Turkish)."""
    return " ".join(in_turkish(part) for part in answer_parts(exc))


def explain(exc: BaseException, subject: str) -> str:
    """The stored Turkish text of a failure: what happened, then Amazon's Turkish words and request id."""
    text = in_turkish(headline(exc, subject))
    answer = amazon_answer(exc)
    return f"{text} {answer}" if answer else text
