"""Building SP-API clients for a store, and what every call to Amazon has in common.

One LWA client and one rate limiter per application: access tokens are cached
across requests and the token buckets are shared by every store of the shop.
"""
from __future__ import annotations

import hashlib

import logging
from contextlib import contextmanager

from flask import current_app

from ..config import amazon_settings, setting
from ..models import Store
from ..errors import AmazonTRError
from ..spapi import AuthorizationRevokedError, LWAClient, RateLimiter, SPAPIClient
from . import session, state

log = logging.getLogger("amazon_tr")


class NotConfigured(AmazonTRError):
    """A setting the call needs is missing; ``setting`` names it."""

    def __init__(self, setting: str) -> None:
        super().__init__(setting)
        self.setting = setting


class NotAuthorized(AmazonTRError):
    """The store has no usable authorization (never given, revoked or expired)."""


def settings():
    return amazon_settings(current_app.config)


def _shared(key: str, make):
    extras = state().extras
    if key not in extras:
        extras[key] = make()
    return extras[key]


def lwa_client() -> LWAClient:
    conf = settings()
    if not conf.client_id:
        raise NotConfigured("AMAZON_TR_LWA_CLIENT_ID")
    if not conf.client_secret:
        raise NotConfigured("AMAZON_TR_LWA_CLIENT_SECRET")
    # A rotated client secret (Amazon requires it every 180 days) takes effect without a restart:
    # the cache key holds a digest of it, never the secret itself.
    secret_digest = hashlib.sha256(conf.client_secret.encode("utf-8")).hexdigest()[:16]
    key = f"lwa:{conf.lwa_token_url}:{conf.client_id}:{secret_digest}"
    return _shared(key, lambda: LWAClient(
        token_url=conf.lwa_token_url, client_id=conf.client_id, client_secret=conf.client_secret,
        clock=state().clock, timeout=(5, read_timeout()),
    ))


def read_timeout() -> float:
    return float(setting("AMAZON_TR_READ_TIMEOUT"))


def _timeout(given) -> tuple[float, float]:
    # A service may ask for a shorter wait (a button); the setting caps every call.
    limit = read_timeout()
    if given is None:
        return (5.0, limit)
    connect, read = given if isinstance(given, tuple) else (given, given)
    return (min(connect, limit), min(read, limit))


def rate_limiter() -> RateLimiter:
    return _shared("rate_limiter", lambda: RateLimiter(clock=state().clock))


def refresh_token_of(store: Store) -> str:
    if not store.refresh_token_encrypted:
        raise NotAuthorized("not authorized")
    if store.authorization_revoked_at is not None:
        raise NotAuthorized("authorization revoked")
    return state().cipher.decrypt(store.refresh_token_encrypted)


def client_for(store: Store, **options) -> SPAPIClient:
    """A client acting for this store's seller; options go to SPAPIClient (retries, timeout…)."""
    conf = settings()
    options = dict(options, timeout=_timeout(options.get("timeout")))
    return SPAPIClient(
        endpoint=conf.spapi_endpoint,
        lwa=lwa_client(),
        refresh_token=refresh_token_of(store),
        seller_id=store.selling_partner_id or store.seller_id,
        clock=state().clock,
        rate_limiter=rate_limiter(),
        **options,
    )


def mark_revoked(store: Store) -> None:
    """Amazon refused the refresh token: stop the store's syncs until it is authorized again."""
    if store.authorization_revoked_at is None:
        store.authorization_revoked_at = state().clock.now()
        session().add(store)
        session().commit()
        log.warning("Amazon revoked the authorization of store %s; its syncs stop until it is authorized again",
                    store.id)


@contextmanager
def calling_amazon(store: Store, **options):
    """``with calling_amazon(store) as client:`` marks the store when Amazon says the grant is gone."""
    client = client_for(store, **options)
    try:
        yield client
    except AuthorizationRevokedError:
        session().rollback()
        mark_revoked(store)
        raise


def can_sync(store: Store) -> bool:
    """Active and authorized: the first check of every sync; passive stores make no call at all."""
    return bool(store.active) and store.authorization_state(state().clock.now()) in ("ok", "expiring")
