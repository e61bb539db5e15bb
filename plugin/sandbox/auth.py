"""Login with Amazon's token endpoint and Seller Central's consent page."""
from __future__ import annotations

import time

import base64
import html
import logging
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

from flask import Blueprint, Response, current_app, jsonify, redirect, request

from .dispatch import drop_connection, json_response
from .local_only import from_this_machine, is_loopback_host
from .seed import MARKETPLACES, SANDBOX_CLIENT_ID, TR_SELLER_ID
from .state import AUTH_CODE_TTL, CONSENT_NONCE_TTL, SandboxState

log = logging.getLogger(__name__)

bp = Blueprint("sandbox_auth", __name__)


def _state() -> SandboxState:
    return current_app.extensions["amazon_tr_sandbox"]["state"]


def _lwa_error(error: str, description: str) -> Response:
    # LWA answers every grant problem with 400 and an OAuth error body, except a refused client:
    # 401 {"error_description":"Client authentication failed","error":"invalid_client"}, as integrators
    # quote it (jlevers/selling-partner-api#602, amzn/selling-partner-api-docs#3030; RFC 6749 5.2).
    resp = jsonify({"error": error, "error_description": description})
    resp.status_code = 401 if error == "invalid_client" else 400
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _client_credentials() -> tuple[str | None, str | None]:
    client_id = request.form.get("client_id")
    client_secret = request.form.get("client_secret")
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("basic ") and not client_id:
        try:
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return None, None
    return client_id, client_secret


@bp.post("/auth/o2/token")
def token() -> Response:
    state = _state()
    entry = {"id": None, "time": state.now_iso(), "operation": "lwaToken", "method": "POST",
             "path": request.path, "query": {},
             # codes and tokens are secrets: only the harmless fields go in the log
             "body": {"grant_type": request.form.get("grant_type"),
                      "client_id": request.form.get("client_id")},
             "seller": None, "status": None}
    state.log_request(entry)
    resp = _token(state, entry)
    entry["status"] = resp.status_code
    return resp


def _token(state: SandboxState, entry: dict) -> Response:
    fault = state.take_fault("lwaToken")
    if fault is not None:
        entry["fault"] = fault.kind
        if fault.kind in ("500", "503"):
            return json_response(int(fault.kind), {"error": "server_error",
                                                   "error_description": "Temporary failure."})
        if fault.kind == "throttle":
            return json_response(429, {"error": "slow_down",
                                       "error_description": "Too many requests."})
        if fault.kind == "drop":
            drop_connection()
            return Response(b"", status=500)
        if fault.kind == "malformed":
            return Response(b'{"access_token": ', status=200, mimetype="application/json")
        if fault.kind == "slow":
            time.sleep(fault.seconds)
        if fault.kind == "revoke" and request.form.get("refresh_token"):
            state.revoke(refresh_token=request.form["refresh_token"])

    if request.mimetype != "application/x-www-form-urlencoded":
        return _lwa_error("invalid_request", "The request must be form-encoded.")
    grant_type = request.form.get("grant_type")
    if not grant_type:
        return _lwa_error("invalid_request", "The request is missing a required parameter : grant_type")
    client_id, client_secret = _client_credentials()
    if not client_id or not client_secret:
        return _lwa_error("invalid_request",
                          "The request is missing a required parameter : client_id or client_secret")
    found = state.app_for_client(client_id)
    if found is None or found[1]["client_secret"] != client_secret or found[1].get("secret_expired"):
        # An expired secret is refused like a wrong one: Amazon requires rotating it every 180 days and
        # then "your application returns an error when it calls the SP-API" ("Rotate your Application's
        # LWA Credentials"); integrators see invalid_client (amzn/selling-partner-api-docs#3030).
        return _lwa_error("invalid_client", "Client authentication failed")

    if grant_type == "authorization_code":
        code = request.form.get("code")
        if not code:
            return _lwa_error("invalid_request", "The request is missing a required parameter : code")
        with state.lock:
            data = state.auth_codes.get(code)
            if data is None or data["used"] or data["expires"] <= state.now_ts() \
                    or data["client_id"] != client_id:
                if data is not None and data["client_id"] == client_id:
                    data["used"] = True
                return _lwa_error("invalid_grant",
                                  "The authorization code is invalid, expired or already used.")
            redirect_uri = request.form.get("redirect_uri")
            if redirect_uri and data["redirect_uri"] and redirect_uri != data["redirect_uri"]:
                return _lwa_error("invalid_grant", "The redirect_uri does not match the authorization request.")
            data["used"] = True
        refresh = state.issue_refresh_token(seller_id=data["seller_id"], client_id=client_id)
        access = state.issue_access_token(refresh_token=refresh)
        entry["seller"] = data["seller_id"]
        return _token_response({"access_token": access, "refresh_token": refresh,
                                "token_type": "bearer", "expires_in": 3600})

    if grant_type == "refresh_token":
        refresh = request.form.get("refresh_token")
        if not refresh:
            return _lwa_error("invalid_request",
                              "The request is missing a required parameter : refresh_token")
        with state.lock:
            rt = state.refresh_tokens.get(refresh)
            if rt is None or rt["revoked"] or rt["client_id"] != client_id:
                return _lwa_error("invalid_grant", "The request has an invalid grant parameter : refresh_token")
        access = state.issue_access_token(refresh_token=refresh)
        entry["seller"] = rt["seller_id"]
        return _token_response({"access_token": access, "refresh_token": refresh,
                                "token_type": "bearer", "expires_in": 3600})

    return _lwa_error("unsupported_grant_type", f"Grant type {grant_type} is not supported.")


def _token_response(body: dict) -> Response:
    resp = jsonify(body)
    resp.headers["Cache-Control"] = "no-store"
    return resp


# -- consent page -----------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="tr"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:40rem;margin:3rem auto;color:#111}}
.box{{border:1px solid #ccc;border-radius:6px;padding:1.5rem}}
button{{padding:.5rem 1.5rem;margin-right:.5rem}} .err{{color:#b00}}</style></head>
<body><div class="box">{content}</div>
<p><small>Amazon Seller Central (yerel sandbox)</small></p></body></html>"""


def _error_page(message: str, status: int = 400) -> Response:
    content = f'<h1>Yetkilendirme hatası</h1><p class="err" id="error">{html.escape(message)}</p>'
    return Response(_PAGE.format(title="Yetkilendirme hatası", content=content), status=status,
                    mimetype="text/html")


def _valid_redirect(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _registered_redirect(app: dict, uri: str) -> bool:
    """Amazon sends the seller back only to a redirect URI registered for the app.

    The seeded sandbox app has none registered, so that any test or demo shop on this
    machine can use it: its callbacks may then be on this machine only, never a
    redirect to anywhere else.
    """
    if app["redirect_uris"]:
        return uri in app["redirect_uris"]
    return is_loopback_host(urlsplit(uri).hostname)


def _not_from_this_machine() -> Response:
    # Approving here grants access to the seller's account: only the machine running the sandbox may.
    return _error_page("Bu sayfa yalnızca sandbox'ın çalıştığı bilgisayardan açılabilir.", 403)


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


@bp.get("/apps/authorize/consent")
def consent_form() -> Response:
    if not from_this_machine():
        return _not_from_this_machine()
    state = _state()
    app_id = request.args.get("application_id", "")
    app = state.apps.get(app_id)
    if app is None:
        return _error_page(f"Uygulama bulunamadı: {app_id or '(boş)'}. "
                           "application_id değerini kontrol edin.", 404)
    if app.get("private"):
        # "Although you can self-authorize private applications, sellers authorize public applications
        # through an OAuth 2.0 workflow" (Step 6: Set up the Authorization Workflow).
        return _error_page("Bu uygulama özel (private) bir uygulama: web sitesi üzerinden yetkilendirilemez. "
                           "Seller Central'da Uygulamalar ve Hizmetler → Uygulama Geliştir sayfasından kendiniz "
                           "yetkilendirin.", 400)
    redirect_uri = request.args.get("redirect_uri") or (app["redirect_uris"] or [None])[0]
    if not redirect_uri or not _valid_redirect(redirect_uri):
        return _error_page("Geçerli bir redirect_uri verilmedi.")
    if not _registered_redirect(app, redirect_uri):
        return _error_page("redirect_uri bu uygulama için kayıtlı değil.")
    nonce = state.new_secret("", 18)
    with state.lock:
        state.consent_nonces[nonce] = {
            "application_id": app_id, "state": request.args.get("state", ""),
            "redirect_uri": redirect_uri, "expires": state.now_ts() + CONSENT_NONCE_TTL}
    options = "".join(
        f'<option value="{html.escape(sid)}"{" selected" if sid == TR_SELLER_ID else ""}>'
        f'{html.escape(s["name"])} ({html.escape(sid)}, '
        f'{html.escape(", ".join(MARKETPLACES[m]["name"] for m in s["marketplaces"] if m in MARKETPLACES))})'
        f'</option>'
        for sid, s in state.sellers.items())
    content = f"""<h1>Uygulamayı yetkilendir</h1>
<p><strong>{html.escape(app['name'])}</strong> uygulaması Amazon satıcı hesabınızdaki
siparişlere ve ürünlere erişmek istiyor.</p>
<form method="post" action="{html.escape(request.script_root)}/apps/authorize/consent">
<input type="hidden" name="nonce" value="{nonce}">
<p><label for="seller_id">Giriş yapan satıcı</label>
<select id="seller_id" name="seller_id">{options}</select></p>
<p>Onay verdiğinizde uygulama, yetkiyi siz kaldırana kadar ya da 365 gün boyunca
hesabınız adına işlem yapabilir.</p>
<button type="submit" name="action" value="approve" id="approve">Onayla</button>
<button type="submit" name="action" value="deny" id="deny">Reddet</button>
</form>"""
    return Response(_PAGE.format(title="Uygulamayı yetkilendir", content=content),
                    mimetype="text/html")


@bp.post("/apps/authorize/consent")
def consent_submit() -> Response:
    if not from_this_machine():
        return _not_from_this_machine()
    state = _state()
    nonce = request.form.get("nonce", "")
    with state.lock:
        data = state.consent_nonces.pop(nonce, None)
    if data is None or data["expires"] <= state.now_ts():
        return _error_page("Bu yetkilendirme sayfasının süresi doldu ya da zaten kullanıldı. "
                           "Lütfen mağaza panelinden yeniden başlatın.")
    action = request.form.get("action")
    if action == "deny":
        return redirect(_with_query(data["redirect_uri"], {"state": data["state"],
                                                           "error": "access_denied"}), 302)
    if action != "approve":
        return _error_page("Geçersiz işlem.")
    seller_id = request.form.get("seller_id") or TR_SELLER_ID
    if seller_id not in state.sellers:
        return _error_page("Bilinmeyen satıcı.")
    code = state.issue_auth_code(seller_id=seller_id, application_id=data["application_id"],
                                 redirect_uri=data["redirect_uri"])
    return redirect(_with_query(data["redirect_uri"], {
        "state": data["state"], "selling_partner_id": seller_id, "spapi_oauth_code": code}), 302)


# -- the application's LWA credentials ----------------------------------------

def _app_of_client(state: SandboxState, client_id: str | None) -> dict:
    found = state.app_for_client(client_id or SANDBOX_CLIENT_ID)
    if found is None:
        raise LookupError(f"no application with client id {client_id!r}")
    return found[1]


def expire_client_secret(state: SandboxState, client_id: str | None = None) -> None:
    """The application's LWA client secret passes its rotation deadline: every grant fails invalid_client."""
    with state.lock:
        _app_of_client(state, client_id)["secret_expired"] = True


def rotate_client_secret(state: SandboxState, client_id: str | None = None) -> str:
    """A new client secret; the old one stops working. Refresh tokens stay valid: "Refresh tokens are linked
    to the LWA client identifier" (LWA Credentials FAQ), so sellers do not authorize again."""
    with state.lock:
        app = _app_of_client(state, client_id)
        app["client_secret"] = state.new_secret("sbx-secret-", 24)
        app.pop("secret_expired", None)
        return app["client_secret"]


__all__ = ["bp", "AUTH_CODE_TTL", "expire_client_secret", "rotate_client_secret"]

# Seller Central's other doors (Manage Your Apps, the Log-in URI's confirm, self-authorization) add their pages to bp.
from . import seller_central  # noqa: E402,F401
