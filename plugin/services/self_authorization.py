"""Yenileme anahtarını yapıştır: a private application's refresh token, self-authorized in Seller Central.

Amazon lets only public applications use the consent page; a shop that registered
its own private application authorizes it in Seller Central (Develop Apps →
Authorize) and gets a refresh token there ("Step 6: Set up the Authorization
Workflow": "you can self-authorize private applications"). The pasted token is
tried at once, a token refresh and getMarketplaceParticipations, and stored
encrypted only when both succeed and the seller sells on Amazon.com.tr.

Amazon's token response does not name the seller, and self-authorization happens
in the seller's own Seller Central account, so the store's Satıcı Kodu is recorded
as the seller. Amazon gives such a grant no end date: none is invented.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from ..errors import AmazonTRError
from ..i18n import lazy_gettext as _l
from ..models import Store
from ..models.base import VIA_SELF
from ..spapi import (AuthorizationRevokedError, ForbiddenError, NetworkError, SPAPIClient, SPAPIError,
                     ThrottledError, UnauthorizedError)
from ..spapi.constants import MARKETPLACE_ID_TR
from ..spapi.errors import InvalidClientError
from . import messages, session, state
from .amazon import NotConfigured, lwa_client, rate_limiter, read_timeout, settings
from .authorization import AuthorizationFailed, check_seller, forget_previous, grant

log = logging.getLogger("amazon_tr")

#: Every refresh token Login with Amazon issues starts so ("Atzr|…"; access tokens start "Atza|").
TOKEN_PREFIX = "Atzr|"
TOKEN_MAX = 2048
# The admin waits for the answer: one retry, short timeouts.
CHECK_OPTIONS = {"max_retries": 1, "backoff_cap": 2.0, "max_wait": 5.0}


class SelfAuthorizationFailed(AmazonTRError):
    """The pasted token was not stored; ``message`` says why, in the admin's words."""

    def __init__(self, reason: str, message) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message


@dataclass
class SelfAuthorizationResult:
    store: Store
    store_name: str | None
    participating: bool


def clean_token(raw: str | None) -> str:
    """The token as Seller Central shows it: spaces and line breaks a copy may add are dropped."""
    token = "".join((raw or "").split())
    if not token:
        raise SelfAuthorizationFailed("empty", _l("Paste the refresh token that Seller Central showed after you authorized your application."))
    if not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_MAX or not (token.isascii() and token.isprintable()):
        raise SelfAuthorizationFailed("malformed", _l("This is not a refresh token: a refresh token starts with Atzr| and is several hundred characters long. Copy it whole from Seller Central (Apps and Services → Develop Apps → Authorize)."))
    return token


def _participations(store: Store, token: str) -> list[dict]:
    conf = settings()
    client = SPAPIClient(endpoint=conf.spapi_endpoint, lwa=lwa_client(), refresh_token=token,
                         seller_id=store.seller_id, clock=state().clock, rate_limiter=rate_limiter(),
                         timeout=(5.0, min(15.0, read_timeout())), **CHECK_OPTIONS)
    return client.get_marketplace_participations()


def _refused(exc: Exception) -> SelfAuthorizationFailed:
    if isinstance(exc, InvalidClientError):
        return SelfAuthorizationFailed("client_secret", messages.CLIENT_SECRET)
    if isinstance(exc, AuthorizationRevokedError):
        return SelfAuthorizationFailed("token_refused", _l("Amazon did not accept this refresh token (invalid_grant): it may be incomplete, revoked, or made for another application than the one whose client id the shop uses (AMAZON_TR_LWA_CLIENT_ID). Authorize the application again in Seller Central and paste the new token."))
    if isinstance(exc, ThrottledError):
        return SelfAuthorizationFailed("throttled", _l("Amazon is limiting requests right now. Try again in %(seconds)d seconds.",
                                                        seconds=max(1, math.ceil(exc.retry_after or 60))))
    if isinstance(exc, NetworkError):
        if messages.kind_of(exc) == "timeout":
            return SelfAuthorizationFailed("timeout", _l("Amazon did not answer in time (timeout), so the token could not be checked. Nothing was saved; try again in a little while."))
        return SelfAuthorizationFailed("network", _l("Amazon could not be reached (network error), so the token could not be checked. Nothing was saved; try again."))
    if isinstance(exc, (ForbiddenError, UnauthorizedError)):
        return SelfAuthorizationFailed("denied", _l("Amazon accepted the token but refused to show the seller's marketplaces with it. Check that the token is of this shop's application and that the application has its roles."))
    return SelfAuthorizationFailed("amazon_error", messages.explain(exc, "connection"))


def self_authorize(store: Store, raw_token: str | None) -> SelfAuthorizationResult:
    """Check the pasted token with Amazon and store it encrypted; on any failure nothing changes."""
    token = clean_token(raw_token)
    try:
        check_seller(store, store.seller_id)
    except AuthorizationFailed as exc:
        raise SelfAuthorizationFailed("seller_taken", _l("The store “%(name)s” already has this Seller ID. An Amazon seller account can be added only once.",
                                                          name=exc.detail or "—")) from None
    if not state().cipher.available:
        raise SelfAuthorizationFailed("no_key", _l("The token cannot be saved: no encryption key is set (AMAZON_TR_ENCRYPTION_KEY), so it could not be stored safely. Ask your developer to set it."))
    try:
        participations = _participations(store, token)
    except NotConfigured as exc:
        raise SelfAuthorizationFailed("not_configured", _l("The setting %(setting)s is missing; ask your developer to set it.", setting=exc.setting)) from None
    except SPAPIError as exc:
        log.info("a pasted refresh token for store %s was refused: %s", store.id, type(exc).__name__)
        raise _refused(exc) from None
    turkey = [p for p in participations if (p.get("marketplace") or {}).get("id") == MARKETPLACE_ID_TR]
    if not turkey:
        names = ", ".join(sorted({(p.get("marketplace") or {}).get("name", "?") for p in participations}))
        raise SelfAuthorizationFailed("not_in_turkey", _l("This token's seller account does not sell on Amazon.com.tr (it sells on: %(markets)s). Authorize the application with your Amazon Türkiye account and paste that token.",
                                                           markets=names or "—"))
    previous = store.refresh_token_encrypted
    grant(store, token, store.seller_id, via=VIA_SELF)
    session().commit()
    if previous:
        forget_previous(previous)
    log.info("store %s authorized with a self-authorized refresh token", store.id)
    participation = turkey[0].get("participation") or {}
    return SelfAuthorizationResult(store=store, store_name=turkey[0].get("storeName"),
                                   participating=participation.get("isParticipating") is not False)
