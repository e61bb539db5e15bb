"""Seller Central's other doors to an application: Manage Your Apps (re-authorize through the app's Log-in
URI) and Develop Apps (self-authorization of one's own application).

Sources:

* "Renew Selling Partner Appstore Authorization Workflow" (developer-docs.amazon.com/sp-api/docs/
  selling-partner-appstore-authorization-workflow-renew): Manage Your Apps → Re-authorize → review
  and accept → "Login to [app] now"; Amazon loads the application's Log-in URI with
  ``amazon_callback_uri``, ``amazon_state`` and ``selling_partner_id`` (``version=beta`` for a draft
  app's test workflow); the application sends the browser to ``amazon_callback_uri`` with
  ``redirect_uri``, ``amazon_state`` and its own ``state``; Amazon then loads the redirect URI with
  ``state``, ``selling_partner_id`` and ``spapi_oauth_code`` (the Appstore workflow's step 4).
  Amazon's example callback is https://amazon.com/apps/authorize/confirm/amzn1.sellerapps.app.…
* "Step 6: Set up the Authorization Workflow": "you can self-authorize private applications"; Seller
  Central shows the refresh token after Authorize (Apps and Services → Develop Apps).
"""
from __future__ import annotations

import html
from urllib.parse import urlsplit

from flask import Response, redirect, request

from .auth import (_PAGE, _error_page, _not_from_this_machine, _registered_redirect, _state, _valid_redirect,
                   _with_query, bp)
from .local_only import from_this_machine, is_loopback_host
from .seed import SANDBOX_APP_ID, TR_SELLER_ID
from .state import SandboxState

#: How long Amazon's amazon_state waits for the application to send the seller back (the sandbox's
#: choice; Amazon does not publish it): as long as a consent page stays usable.
AMAZON_STATE_TTL = 1800


def _seller_options(state: SandboxState) -> str:
    return "".join(
        f'<option value="{html.escape(sid)}"{" selected" if sid == TR_SELLER_ID else ""}>'
        f'{html.escape(s["name"])} ({html.escape(sid)})</option>' for sid, s in state.sellers.items())


def _page(title: str, content: str) -> Response:
    return Response(_PAGE.format(title=html.escape(title), content=content), mimetype="text/html")


def _login_uri(app: dict, given: str | None) -> str | None:
    """The application's registered Log-in URI; an application without one (the seeded sandbox app)
    takes the one the page is given, on this machine only, like its redirect URIs."""
    if app.get("login_uri"):
        return app["login_uri"]
    if given and _valid_redirect(given) and is_loopback_host(urlsplit(given).hostname):
        return given
    return None


# -- Manage Your Apps ----------------------------------------------------------------

@bp.get("/apps/manage")
def manage_apps() -> Response:
    if not from_this_machine():
        return _not_from_this_machine()
    state = _state()
    given = request.args.get("login_uri")
    rows = []
    for app_id, app in state.apps.items():
        if app.get("private"):
            continue  # a private application is managed in Develop Apps, not authorized by other sellers
        login_uri = _login_uri(app, given)
        if login_uri is None:
            rows.append(f"<li>{html.escape(app['name'])}: <em>Log-in URI kayıtlı değil</em></li>")
            continue
        rows.append(f"""<li><form method="post" action="{html.escape(request.script_root)}/apps/manage">
<strong>{html.escape(app['name'])}</strong>
<input type="hidden" name="application_id" value="{html.escape(app_id)}">
<input type="hidden" name="login_uri" value="{html.escape(login_uri)}">
<label>Giriş yapan satıcı <select name="seller_id">{_seller_options(state)}</select></label>
<p>Uygulama, siparişlerinize ve ürünlerinize erişim istiyor. Yeniden yetkilendirdiğinizde {html.escape(app['name'])}
uygulamasına giriş yapmanız istenir.</p>
<button type="submit" name="action" value="reauthorize">Yeniden yetkilendir</button></form></li>""")
    return _page("Uygulamalarınızı Yönetin", "<h1>Uygulamalarınızı Yönetin</h1><ul>" + "".join(rows) + "</ul>")


@bp.post("/apps/manage")
def manage_apps_reauthorize() -> Response:
    if not from_this_machine():
        return _not_from_this_machine()
    state = _state()
    app_id = request.form.get("application_id", "")
    app = state.apps.get(app_id)
    if app is None or app.get("private"):
        return _error_page("Uygulama bulunamadı.", 404)
    login_uri = _login_uri(app, request.form.get("login_uri"))
    if login_uri is None:
        return _error_page("Bu uygulamanın Log-in URI'si kayıtlı değil.")
    seller_id = request.form.get("seller_id") or TR_SELLER_ID
    if seller_id not in state.sellers:
        return _error_page("Bilinmeyen satıcı.")
    amazon_state = issue_amazon_state(state, application_id=app_id, seller_id=seller_id)
    base = request.host_url.rstrip("/") + request.script_root
    return redirect(_with_query(login_uri, {
        "amazon_callback_uri": f"{base}/apps/authorize/confirm/{app_id}",
        "amazon_state": amazon_state, "selling_partner_id": seller_id}), 302)


def issue_amazon_state(state: SandboxState, *, application_id: str = SANDBOX_APP_ID,
                       seller_id: str = TR_SELLER_ID) -> str:
    """What Manage Your Apps hands the Log-in URI: a single-use amazon_state for this seller and app."""
    value = state.new_secret("", 18)
    with state.lock:
        state.amazon_states[value] = {"application_id": application_id, "seller_id": seller_id,
                                      "expires": state.now_ts() + AMAZON_STATE_TTL, "used": False}
    return value


@bp.get("/apps/authorize/confirm/<application_id>")
def confirm(application_id: str) -> Response:
    """Amazon's callback for the Log-in URI: the seller already accepted in Manage Your Apps, so no
    second consent page; a valid amazon_state leads straight back to the redirect URI with a code."""
    if not from_this_machine():
        return _not_from_this_machine()
    state = _state()
    app = state.apps.get(application_id)
    if app is None:
        return _error_page("Uygulama bulunamadı.", 404)
    redirect_uri = request.args.get("redirect_uri") or (app["redirect_uris"] or [None])[0]
    if not redirect_uri or not _valid_redirect(redirect_uri) or not _registered_redirect(app, redirect_uri):
        return _error_page("redirect_uri bu uygulama için kayıtlı değil.")
    with state.lock:
        data = state.amazon_states.get(request.args.get("amazon_state", ""))
        if data is None or data["used"] or data["expires"] <= state.now_ts() \
                or data["application_id"] != application_id:
            return _error_page("amazon_state geçersiz, süresi dolmuş ya da zaten kullanılmış. "
                               "Yeniden yetkilendirmeyi Uygulamalarınızı Yönetin sayfasından yeniden başlatın.")
        data["used"] = True
    code = state.issue_auth_code(seller_id=data["seller_id"], application_id=application_id,
                                 redirect_uri=redirect_uri)
    return redirect(_with_query(redirect_uri, {"state": request.args.get("state", ""),
                                               "selling_partner_id": data["seller_id"],
                                               "spapi_oauth_code": code}), 302)


# -- Develop Apps: self-authorization ------------------------------------------------

def self_authorize(state: SandboxState, *, seller_id: str = TR_SELLER_ID,
                   application_id: str = SANDBOX_APP_ID) -> str:
    """The refresh token Seller Central shows after Authorize on one's own application."""
    app = state.apps.get(application_id)
    if app is None:
        raise LookupError(f"no application {application_id!r}")
    if seller_id not in state.sellers:
        raise LookupError(f"no seller {seller_id!r}")
    return state.issue_refresh_token(seller_id=seller_id, client_id=app["client_id"])


@bp.get("/apps/develop")
def develop_apps() -> Response:
    if not from_this_machine():
        return _not_from_this_machine()
    state = _state()
    rows = "".join(
        f"""<li><form method="post" action="{html.escape(request.script_root)}/apps/develop">
<strong>{html.escape(app['name'])}</strong>{' (özel)' if app.get('private') else ''}
<input type="hidden" name="application_id" value="{html.escape(app_id)}">
<label>Giriş yapan satıcı <select name="seller_id">{_seller_options(state)}</select></label>
<button type="submit" id="self-authorize-{html.escape(app_id)}">Uygulamayı yetkilendir</button></form></li>"""
        for app_id, app in state.apps.items())
    return _page("Uygulama Geliştir", "<h1>Uygulama Geliştir</h1><ul>" + rows + "</ul>")


@bp.post("/apps/develop")
def develop_apps_authorize() -> Response:
    if not from_this_machine():
        return _not_from_this_machine()
    try:
        token = self_authorize(_state(), seller_id=request.form.get("seller_id") or TR_SELLER_ID,
                               application_id=request.form.get("application_id", ""))
    except LookupError:
        return _error_page("Uygulama ya da satıcı bulunamadı.", 404)
    content = ("<h1>Uygulama yetkilendirildi</h1><p>Yenileme anahtarınız (refresh token). Güvenli bir yerde "
               f'saklayın:</p><p><code id="refresh-token">{html.escape(token)}</code></p>')
    resp = _page("Uygulama yetkilendirildi", content)
    resp.headers["Cache-Control"] = "no-store"
    return resp
