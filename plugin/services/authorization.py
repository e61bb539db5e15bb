"""Yetkilendir: sending the seller to Amazon's consent page and taking the answer back.

The state sent to Amazon is random, single use, valid for ten minutes and bound
to the store and to the admin's browser session; only its hash is stored.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import delete, select

from ..errors import AmazonTRError
from ..models import AUTHORIZATION_LIFETIME, OAuthState, Store
from ..spapi import LWAError, NetworkError, SPAPIError
from ..validation import SELLER_ID_PATTERN
from . import session, state
from .amazon import NotConfigured, lwa_client, settings

log = logging.getLogger("amazon_tr")

STATE_LIFETIME = timedelta(minutes=10)


class AuthorizationFailed(AmazonTRError):
    """The consent came back unusable. ``reason`` is one of the REASONS below."""

    REASONS = ("denied", "missing_state", "unknown_state", "expired_state", "used_state", "other_session",
               "missing_code", "bad_partner_id", "token_refused", "token_unreachable", "no_key")

    def __init__(self, reason: str, *, detail: str | None = None, store_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.store_id = store_id


@dataclass
class AuthorizationResult:
    store: Store
    partner_id_differs: bool


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_session_binding() -> str:
    return secrets.token_urlsafe(32)


def start(store: Store, *, session_binding: str, redirect_uri: str) -> str:
    """Record a fresh state and return the Seller Central consent URL to navigate to."""
    conf = settings()
    if not state().cipher.available:
        raise NotConfigured("AMAZON_TR_ENCRYPTION_KEY")
    if not conf.app_id:
        raise NotConfigured("AMAZON_TR_APP_ID")
    lwa_client()  # raises NotConfigured when the client id or secret is missing
    now = state().clock.now()
    raw_state = secrets.token_urlsafe(32)
    db = session()
    # Old, used or expired states of this store are of no further use.
    db.execute(delete(OAuthState).where(OAuthState.store_id == store.id, OAuthState.expires_at < now))
    db.add(OAuthState(state_hash=_digest(raw_state), session_hash=_digest(session_binding), store_id=store.id,
                      created_at=now, expires_at=now + STATE_LIFETIME))
    db.commit()
    params = {"application_id": conf.app_id, "state": raw_state, "redirect_uri": redirect_uri}
    if conf.app_draft:
        params["version"] = "beta"
    return f"{conf.seller_central_url}/apps/authorize/consent?{urlencode(params)}"


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


def grant(store: Store, refresh_token: str, selling_partner_id: str) -> Store:
    """What a seller's consent leaves on the store: the token encrypted, 365 days, no revocation.

    Not committed: the caller's transaction decides. Tests and benchmarks that get a
    token from the sandbox directly record it through this same function.
    """
    now = state().clock.now()
    store.refresh_token_encrypted = state().cipher.encrypt(refresh_token)
    store.selling_partner_id = selling_partner_id
    store.authorized_at = now
    store.authorization_expires_at = now + AUTHORIZATION_LIFETIME
    store.authorization_revoked_at = None
    return store


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
    cipher = state().cipher
    if not cipher.available:
        raise AuthorizationFailed("no_key", store_id=store.id)
    try:
        tokens = lwa_client().exchange_code(code, redirect_uri=redirect_uri)
    except NetworkError as exc:
        raise AuthorizationFailed("token_unreachable", detail=str(exc), store_id=store.id) from None
    except (LWAError, SPAPIError) as exc:
        detail = getattr(exc, "error_description", None) or getattr(exc, "error", None) or exc.__class__.__name__
        raise AuthorizationFailed("token_refused", detail=detail, store_id=store.id) from None

    previous = store.refresh_token_encrypted
    grant(store, tokens["refresh_token"], partner_id)
    session().commit()
    if previous:
        try:
            lwa_client().forget(cipher.decrypt(previous))
        except Exception:  # an undecryptable old token has nothing cached anyway
            pass
    log.info("store %s authorized by selling partner %s", store.id, partner_id)
    return AuthorizationResult(store=store, partner_id_differs=partner_id != store.seller_id)
