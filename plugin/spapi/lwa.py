"""Login with Amazon: consent code -> refresh token -> access tokens.

oauthlib's ``WebApplicationClient`` (the client requests-oauthlib builds its
``OAuth2Session`` on) writes the form bodies and reads the token responses,
including mapping ``{"error": ...}`` bodies to typed errors. We send the
requests through our own ``requests.Session`` instead of ``OAuth2Session``
because ``OAuth2Session.fetch_token`` refuses plain-http token URLs unless a
process-wide environment variable is set (the local sandbox is http on
loopback), and it stamps expiry with ``time.time()`` where we need the injected
clock. Amazon's redirect carries ``spapi_oauth_code`` rather than OAuth's
``code``, so the code is always passed in explicitly, never parsed from a URL.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

import requests
from oauthlib.oauth2 import OAuth2Error, WebApplicationClient

from ..clock import SystemClock
from .constants import LWA_TOKEN_URL
from .errors import AuthorizationRevokedError, InvalidClientError, InvalidGrantError, LWAError, NetworkError
from .sessions import new_session

log = logging.getLogger(__name__)

#: Refresh this long before Amazon's expiry so a token never dies mid-request.
EXPIRY_MARGIN = 60.0


def _key(refresh_token: str) -> str:
    # The cache is keyed by a digest so a dump of the client's state never
    # shows a usable credential.
    return hashlib.sha256(refresh_token.encode("utf-8")).hexdigest()


class LWAClient:
    def __init__(
        self,
        *,
        token_url: str = LWA_TOKEN_URL,
        client_id: str,
        client_secret: str,
        session: requests.Session | None = None,
        proxy: str | None = None,
        clock: Any = None,
        timeout: tuple[float, float] | float = (5, 30),
    ) -> None:
        """``proxy`` applies to the session the client opens; an injected ``session`` is used as it is."""
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._session = session or new_session(proxy)
        self._clock = clock or SystemClock()
        self._timeout = timeout
        self._oauth = WebApplicationClient(client_id)
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        # One refresh per refresh token at a time: when several threads find the
        # token stale together, one fetches and the rest reuse its result.
        self._refresh_locks: dict[str, threading.Lock] = {}
        self.token_requests = 0

    def __repr__(self) -> str:
        return f"LWAClient(token_url={self.token_url!r}, client_id={self.client_id!r})"

    def exchange_code(self, code: str, *, redirect_uri: str | None = None) -> dict:
        """Trade a single-use ``spapi_oauth_code`` for a refresh token.

        Returns Amazon's token response (``refresh_token``, ``access_token``,
        ``expires_in``, ``token_type``). The access token is cached, so the
        first API call after authorization needs no second token request.
        """
        if not code:
            raise ValueError("spapi_oauth_code is empty")
        body = self._oauth.prepare_request_body(
            code=code,
            redirect_uri=redirect_uri,
            include_client_id=True,
            client_secret=self._client_secret,
        )
        token = self._post(body, grant="authorization_code")
        if not token.get("refresh_token"):
            raise LWAError("Login with Amazon returned no refresh token", error="missing_refresh_token")
        if token.get("access_token"):
            self._store(token["refresh_token"], token)
        return token

    def access_token(self, refresh_token: str) -> str:
        """A valid access token for this refresh token, fetched only when needed."""
        if not refresh_token:
            raise AuthorizationRevokedError("No refresh token: the store is not authorized", error="missing_refresh_token")
        key = _key(refresh_token)
        cached = self._fresh(key)
        if cached:
            return cached
        with self._lock:
            refresh_lock = self._refresh_locks.setdefault(key, threading.Lock())
        with refresh_lock:
            cached = self._fresh(key)
            if cached:
                return cached
            body = self._oauth.prepare_refresh_body(
                refresh_token=refresh_token,
                client_id=self.client_id,
                client_secret=self._client_secret,
            )
            token = self._post(body, grant="refresh_token")
            self._store(refresh_token, token)
            return token["access_token"]

    def forget(self, refresh_token: str) -> None:
        """Drop the cached access token, e.g. after Amazon refused it."""
        with self._lock:
            self._cache.pop(_key(refresh_token), None)

    def _fresh(self, key: str) -> str | None:
        with self._lock:
            entry = self._cache.get(key)
        if entry and self._clock.time() < entry[1]:
            return entry[0]
        return None

    def _store(self, refresh_token: str, token: dict) -> None:
        try:
            lifetime = float(token.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        valid_until = self._clock.time() + max(0.0, lifetime - EXPIRY_MARGIN)
        with self._lock:
            self._cache[_key(refresh_token)] = (token["access_token"], valid_until)

    def _post(self, body: str, *, grant: str) -> dict:
        self.token_requests += 1
        try:
            response = self._session.post(
                self.token_url,
                data=body,
                headers={
                    "content-type": "application/x-www-form-urlencoded;charset=UTF-8",
                    "accept": "application/json",
                },
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            log.warning("LWA %s grant: network error %s", grant, type(exc).__name__)
            raise NetworkError(f"Login with Amazon unreachable: {type(exc).__name__}", operation="lwa") from exc

        status = response.status_code
        if status >= 500:
            log.warning("LWA %s grant: HTTP %s", grant, status)
            raise LWAError(
                f"Login with Amazon failed with HTTP {status}",
                status=status,
                error="server_error",
                operation="lwa",
            )
        try:
            token = self._oauth.parse_request_body_response(response.text)
        except OAuth2Error as exc:
            raise self._refusal(grant, status, exc.error, exc.description) from None
        except (ValueError, TypeError):
            token = None
        if status != 200 or not token:
            log.warning("LWA %s grant: HTTP %s without a usable body", grant, status)
            raise LWAError(
                f"Login with Amazon answered HTTP {status} without a token",
                status=status,
                error="invalid_response",
                operation="lwa",
            )
        log.debug("LWA %s grant: token received, expires in %s s", grant, token.get("expires_in"))
        return dict(token)

    def _refusal(self, grant: str, status: int, error: str | None, description: str | None) -> LWAError:
        log.warning("LWA %s grant refused: HTTP %s %s", grant, status, error)
        kw = dict(status=status, error=error, error_description=description, operation="lwa")
        if error == "invalid_grant" and grant == "refresh_token":
            return AuthorizationRevokedError(
                "The seller's authorization was revoked or has expired; authorize the store again", **kw
            )
        if error == "invalid_client":
            # The application's secret, not the seller's grant: expired (not rotated within 180 days) or wrong.
            return InvalidClientError(
                "Login with Amazon refused the application's client secret; rotate the LWA client secret", **kw
            )
        if error == "invalid_grant":
            return InvalidGrantError(
                "The authorization code is invalid, expired (5 minutes) or already used", **kw
            )
        return LWAError(f"Login with Amazon refused the {grant} request", **kw)
