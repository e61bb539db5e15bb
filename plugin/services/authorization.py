"""Yetkilendir: a public application's grant, started on the store page or from Seller Central.

Two doors lead to the same consent answer (Amazon's ``spapi_oauth_code`` on our
redirect URI, handled by ``complete``):

- *Yetkilendir* on the store page sends the seller to Seller Central's consent page
  (Amazon's "Website authorization workflow").
- Seller Central's *Manage Your Apps → Re-authorize* loads the application's Log-in URI
  with ``amazon_callback_uri``, ``amazon_state`` and ``selling_partner_id``; after the
  admin confirms the store, the browser goes back to ``amazon_callback_uri`` with our
  ``redirect_uri``, Amazon's ``amazon_state`` and our ``state`` ("Renew Selling Partner
  Appstore Authorization Workflow", developer-docs.amazon.com/sp-api/docs/
  selling-partner-appstore-authorization-workflow-renew).

The state sent to Amazon is random, single use, valid for ten minutes and bound
to the store and to the admin's browser session; only its hash is stored. A
private application cannot use either door: its seller self-authorizes in Seller
Central and pastes the refresh token (services/self_authorization.py).
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import delete, select

from ..errors import AmazonTRError
from ..models import AUTHORIZATION_LIFETIME, OAuthState, Store
from ..models.base import VIA_OAUTH
from ..spapi import LWAError, NetworkError, SPAPIError
from ..spapi.errors import InvalidClientError
from ..validation import SELLER_ID_PATTERN
from . import session, state
from .amazon import NotConfigured, lwa_client, settings
from .stores import store_of_seller

log = logging.getLogger("amazon_tr")

STATE_LIFETIME = timedelta(minutes=10)

# Where Amazon's Log-in URI call may send the browser back: Seller Central of a marketplace, or the
# amazon.com host of Amazon's own example (https://amazon.com/apps/authorize/confirm/amzn1.sellerapps.app…),
# on the confirm path. Anything else would make the Log-in URI an open redirect.
_SELLER_CENTRAL_HOST = re.compile(
    r"(?:sellercentral(?:-europe|-japan)?\.amazon\."
    r"(?:com|com\.tr|co\.uk|de|fr|it|es|nl|se|pl|com\.be|ae|sa|eg|in|co\.jp|com\.au|sg|com\.mx|ca|com\.br)"
    r"|(?:www\.)?amazon\.com)")
CALLBACK_PATH = "/apps/authorize/confirm/"
AMAZON_STATE_MAX = 2048


class AuthorizationFailed(AmazonTRError):
    """The consent came back unusable, or a Log-in URI call cannot go on. ``reason`` is one of REASONS."""

    REASONS = ("denied", "missing_state", "unknown_state", "expired_state", "used_state", "other_session",
               "missing_code", "bad_partner_id", "token_refused", "token_unreachable", "no_key",
               "partner_mismatch", "seller_taken", "client_secret", "bad_callback", "missing_amazon_state")

    def __init__(self, reason: str, *, detail: str | None = None, store_id: int | None = None,
                 partner_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.store_id = store_id
        self.partner_id = partner_id


@dataclass
class AuthorizationResult:
    store: Store


@dataclass(frozen=True)
class LoginRequest:
    """Seller Central's call of the Log-in URI, checked."""

    amazon_callback_uri: str
    amazon_state: str
    selling_partner_id: str
    beta: bool


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_session_binding() -> str:
    return secrets.token_urlsafe(32)


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _ready_to_start() -> None:
    """Raise NotConfigured unless a consent could be started and its answer stored."""
    conf = settings()
    if not state().cipher.available:
        raise NotConfigured("AMAZON_TR_ENCRYPTION_KEY")
    if not conf.app_id:
        raise NotConfigured("AMAZON_TR_APP_ID")
    lwa_client()  # raises NotConfigured when the client id or secret is missing


def _new_state(store: Store, session_binding: str) -> str:
    now = state().clock.now()
    raw_state = secrets.token_urlsafe(32)
    db = session()
    # Old, used or expired states of this store are of no further use.
    db.execute(delete(OAuthState).where(OAuthState.store_id == store.id, OAuthState.expires_at < now))
    db.add(OAuthState(state_hash=_digest(raw_state), session_hash=_digest(session_binding), store_id=store.id,
                      created_at=now, expires_at=now + STATE_LIFETIME))
    db.commit()
    return raw_state


def start(store: Store, *, session_binding: str, redirect_uri: str) -> str:
    """Record a fresh state and return the Seller Central consent URL to navigate to."""
    _ready_to_start()
    conf = settings()
    params = {"application_id": conf.app_id, "state": _new_state(store, session_binding),
              "redirect_uri": redirect_uri}
    if conf.app_draft:
        params["version"] = "beta"
    return f"{conf.seller_central_url}/apps/authorize/consent?{urlencode(params)}"


# --- the Log-in URI ---------------------------------------------------------------------------

def callback_allowed(uri: str) -> bool:
    """Whether ``uri`` is Amazon's own confirm address: https on a Seller Central host (or the
    configured Seller Central, which is the local sandbox in ``local`` mode), on the confirm path."""
    try:
        parts = urlsplit(uri or "")
        port = parts.port
    except ValueError:
        return False
    if parts.username or parts.password or parts.fragment or any(ch.isspace() or ord(ch) < 0x20 for ch in uri):
        return False
    configured = urlsplit(settings().seller_central_url)
    if (parts.scheme, parts.netloc) == (configured.scheme, configured.netloc):
        return parts.path.startswith(configured.path.rstrip("/") + CALLBACK_PATH)
    return (parts.scheme == "https" and port is None and parts.path.startswith(CALLBACK_PATH)
            and bool(_SELLER_CENTRAL_HOST.fullmatch(parts.hostname or "")))


def parse_login(params: dict) -> LoginRequest:
    """Check Seller Central's Log-in URI parameters; AuthorizationFailed says what is wrong."""
    callback = params.get("amazon_callback_uri") or ""
    if not callback_allowed(callback):
        raise AuthorizationFailed("bad_callback")
    amazon_state = params.get("amazon_state") or ""
    if not amazon_state or len(amazon_state) > AMAZON_STATE_MAX or not amazon_state.isprintable():
        raise AuthorizationFailed("missing_amazon_state")
    partner_id = (params.get("selling_partner_id") or "").strip()
    if not SELLER_ID_PATTERN.fullmatch(partner_id):
        raise AuthorizationFailed("bad_partner_id")
    return LoginRequest(callback, amazon_state, partner_id, beta=params.get("version") == "beta")


def store_for_login(login: LoginRequest) -> Store | None:
    """The store whose Satıcı Kodu is the seller re-authorizing (there is at most one)."""
    return store_of_seller(login.selling_partner_id)


def continue_login(store: Store, login: LoginRequest, *, session_binding: str, redirect_uri: str) -> str:
    """Record a fresh state for ``store`` and return Amazon's callback URL to send the browser to."""
    if login.selling_partner_id != store.seller_id:
        raise AuthorizationFailed("partner_mismatch", store_id=store.id, partner_id=login.selling_partner_id)
    _ready_to_start()
    params = {"redirect_uri": redirect_uri, "amazon_state": login.amazon_state,
              "state": _new_state(store, session_binding)}
    # A draft application's test workflow carries version=beta; Amazon wants it back on the callback.
    if login.beta or settings().app_draft:
        params["version"] = "beta"
    return _with_query(login.amazon_callback_uri, params)


# --- Amazon's answer ------------------------------------------------------------------------------

def _claim_state(raw_state: str | None, session_binding: str | None) -> OAuthState:
    if not raw_state:
        raise AuthorizationFailed("missing_state")
    db = session()
    row = db.scalar(select(OAuthState).where(OAuthState.state_hash == _digest(raw_state)))
    if row is None:
        raise AuthorizationFailed("unknown_state")
    if row.used_at is not None:
        raise AuthorizationFailed("used_state", store_id=row.store_id)
    if not session_binding or not secrets.compare_digest(row.session_hash, _digest(session_binding)):
        raise AuthorizationFailed("other_session", store_id=row.store_id)
    now = state().clock.now()
    if row.expires_at <= now:
        raise AuthorizationFailed("expired_state", store_id=row.store_id)
    # Single use from the first answer on, whatever follows.
    row.used_at = now
    db.commit()
    return row


def grant(store: Store, refresh_token: str, selling_partner_id: str, *, via: str = VIA_OAUTH) -> Store:
    """What an authorization leaves on the store: the token encrypted, no revocation, and the end date
    Amazon announces for a public application's consent (365 days); a self-authorized private
    application has none.

    Not committed: the caller's transaction decides. Tests and benchmarks that get a
    token from the sandbox directly record it through this same function.
    """
    now = state().clock.now()
    store.refresh_token_encrypted = state().cipher.encrypt(refresh_token)
    store.selling_partner_id = selling_partner_id
    store.authorized_at = now
    store.authorized_via = via
    store.authorization_expires_at = now + AUTHORIZATION_LIFETIME if via == VIA_OAUTH else None
    store.authorization_revoked_at = None
    return store


def check_seller(store: Store, partner_id: str) -> None:
    """Refuse a grant of another seller than the Satıcı Kodu, or of a seller another store already has."""
    if partner_id != store.seller_id:
        raise AuthorizationFailed("partner_mismatch", store_id=store.id, partner_id=partner_id)
    other = store_of_seller(partner_id, exclude_id=store.id)
    if other is not None:
        raise AuthorizationFailed("seller_taken", store_id=store.id, partner_id=partner_id, detail=other.name)


def forget_previous(previous: str | None) -> None:
    """Drop the access token cached for a replaced refresh token."""
    if previous:
        try:
            lwa_client().forget(state().cipher.decrypt(previous))
        except Exception:  # an undecryptable old token has nothing cached anyway
            pass


def complete(params: dict, *, session_binding: str | None, redirect_uri: str) -> AuthorizationResult:
    """Check Amazon's redirect and store the refresh token. Nothing is stored on any failure."""
    row = _claim_state(params.get("state"), session_binding)
    store = session().get(Store, row.store_id)
    if store is None:
        raise AuthorizationFailed("unknown_state")
    if params.get("error"):
        raise AuthorizationFailed("denied", store_id=store.id)
    code = params.get("spapi_oauth_code")
    if not code:
        raise AuthorizationFailed("missing_code", store_id=store.id)
    partner_id = (params.get("selling_partner_id") or "").strip()
    if not SELLER_ID_PATTERN.fullmatch(partner_id):
        raise AuthorizationFailed("bad_partner_id", store_id=store.id)
    # Before the code is spent: another seller's grant on this store would import that seller's orders.
    check_seller(store, partner_id)
    if not state().cipher.available:
        raise AuthorizationFailed("no_key", store_id=store.id)
    try:
        tokens = lwa_client().exchange_code(code, redirect_uri=redirect_uri)
    except NetworkError as exc:
        raise AuthorizationFailed("token_unreachable", detail=str(exc), store_id=store.id) from None
    except InvalidClientError:
        raise AuthorizationFailed("client_secret", store_id=store.id) from None
    except (LWAError, SPAPIError) as exc:
        detail = getattr(exc, "error_description", None) or getattr(exc, "error", None) or exc.__class__.__name__
        raise AuthorizationFailed("token_refused", detail=detail, store_id=store.id) from None

    previous = store.refresh_token_encrypted
    grant(store, tokens["refresh_token"], partner_id)
    session().commit()
    forget_previous(previous)
    log.info("store %s authorized by selling partner %s", store.id, partner_id)
    return AuthorizationResult(store=store)
