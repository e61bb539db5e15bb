"""Yetkilendir, Yenileme anahtarını yapıştır and API'yi test et on the store's edit page; Amazon's answers."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, g, make_response, redirect, render_template, request, session, url_for

from ..config import setting
from ..forms import ConfirmForm, RefreshTokenForm, StoreForm
from ..i18n import gettext as _
from ..services import authorization, messages
from ..services.amazon import NotConfigured
from ..services.connection_test import run_api_test
from ..services.self_authorization import SelfAuthorizationFailed, self_authorize
from .blueprint import admin_blueprint as bp
from .blueprint import is_htmx, store_or_404
from .stores import FLASH_OK, fill_form, manage_apps_url, store_page

FLASH_WARN = "amazon_tr-warning"
FLASH_ERROR = "amazon_tr-error"
SESSION_KEY = "amazon_tr_oauth_binding"


def _redirect_uri() -> str:
    return setting("AMAZON_TR_REDIRECT_URI") or url_for("amazon_tr.oauth_callback", _external=True)


def _binding() -> str:
    binding = session.get(SESSION_KEY)
    if not binding:
        binding = session[SESSION_KEY] = authorization.new_session_binding()
    return binding


def _not_configured_message(exc: NotConfigured) -> str:
    if exc.setting == "AMAZON_TR_ENCRYPTION_KEY":
        return _("Authorization cannot start: no encryption key is set (AMAZON_TR_ENCRYPTION_KEY), so the Amazon authorization could not be stored safely. Ask your developer to set it.")
    return _("Authorization cannot start: the setting %(setting)s is missing. Ask your developer to set it.", setting=exc.setting)


def _leave_to(target: str):
    """Authorization leaves the page: a full navigation, never a swap."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _no_trace(response):
    # The code, the states and Amazon's callback are in this URL: no page it leads to may see them.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/stores/<int:store_id>/authorize", methods=["POST"])
def authorize(store_id: int):
    store = store_or_404(store_id)
    try:
        consent_url = authorization.start(store, session_binding=_binding(), redirect_uri=_redirect_uri())
    except NotConfigured as exc:
        flash(_not_configured_message(exc), FLASH_ERROR)
        return _leave_to(url_for(".edit_store", store_id=store.id))
    return _leave_to(consent_url)


CALLBACK_MESSAGES = {
    "denied": lambda exc: _("Authorization was cancelled on Amazon (Reddet). Nothing was changed; click Authorize to try again."),
    "missing_state": lambda exc: _("Amazon's answer is incomplete (no state). Start the authorization again with the Authorize button."),
    "unknown_state": lambda exc: _("This authorization link is not valid. Start the authorization again with the Authorize button."),
    "expired_state": lambda exc: _("The authorization took longer than 10 minutes and expired. Click Authorize again."),
    "used_state": lambda exc: _("This authorization answer was already used. Click Authorize again if you want to renew the authorization."),
    "other_session": lambda exc: _("This authorization was started in another session. Start it again from this browser with the Authorize button."),
    "missing_code": lambda exc: _("Amazon did not send an authorization code. Click Authorize again."),
    "bad_partner_id": lambda exc: _("Amazon's answer has no valid seller ID. Click Authorize again."),
    "token_refused": lambda exc: _("Amazon did not accept the authorization code (it may have expired after 5 minutes or been used already). Click Authorize again."),
    "token_unreachable": lambda exc: _("Amazon's login service could not be reached. Nothing was changed; try again in a few minutes."),
    "no_key": lambda exc: _("Authorization cannot start: no encryption key is set (AMAZON_TR_ENCRYPTION_KEY), so the Amazon authorization could not be stored safely. Ask your developer to set it."),
    "partner_mismatch": lambda exc: _("The seller who authorized (%(partner)s) is not the Seller ID of this store. Nothing was saved: sign in to Seller Central with the account of the store's Seller ID and authorize again, or correct the Seller ID if it was typed wrong.",
                                      partner=exc.partner_id or "—"),
    "seller_taken": lambda exc: _("The store “%(name)s” already has the Amazon seller %(partner)s. Nothing was saved: a seller account can be connected to one store only.",
                                  name=exc.detail or "—", partner=exc.partner_id or "—"),
    "client_secret": lambda exc: str(messages.CLIENT_SECRET),
}


@bp.route("/oauth/callback")
def oauth_callback():
    params = {key: request.args.get(key) for key in ("state", "selling_partner_id", "spapi_oauth_code", "error")}
    try:
        result = authorization.complete(params, session_binding=session.get(SESSION_KEY),
                                        redirect_uri=_redirect_uri())
    except authorization.AuthorizationFailed as exc:
        flash(CALLBACK_MESSAGES[exc.reason](exc), FLASH_ERROR)
        target = url_for(".edit_store", store_id=exc.store_id) if exc.store_id else url_for(".index")
    else:
        flash(_("“%(name)s” is authorized with Amazon. Now click Test API.", name=result.store.name), FLASH_OK)
        target = url_for(".edit_store", store_id=result.store.id)
    return _no_trace(redirect(target))


# --- Seller Central's Manage Your Apps → Re-authorize: the application's Log-in URI -----------------

LOGIN_PARAMS = ("amazon_callback_uri", "amazon_state", "selling_partner_id", "version")

LOGIN_MESSAGES = {
    "bad_callback": lambda: _("This link did not come from Amazon Seller Central (its return address is not Amazon's), so it was not followed. Start the re-authorization again from Seller Central: Manage Your Apps → Re-authorize."),
    "missing_amazon_state": lambda: _("Amazon's request is incomplete (no amazon_state). Start the re-authorization again from Seller Central: Manage Your Apps → Re-authorize."),
    "bad_partner_id": lambda: _("Amazon's request has no valid seller ID. Start the re-authorization again from Seller Central: Manage Your Apps → Re-authorize."),
}


def _login_error(exc: authorization.AuthorizationFailed):
    # Like Amazon's answer on the callback: said on the store list, never a page of the request's making.
    flash(LOGIN_MESSAGES[exc.reason](), FLASH_ERROR)
    return _no_trace(redirect(url_for(".index")))


@bp.route("/oauth/login")
def oauth_login():
    """The Log-in URI Amazon loads after the seller chose Re-authorize in Manage Your Apps."""
    try:
        login = authorization.parse_login({key: request.args.get(key) for key in LOGIN_PARAMS})
    except authorization.AuthorizationFailed as exc:
        return _login_error(exc)
    store = authorization.store_for_login(login)
    if store is not None:
        # The confirm form is answered by a redirect to Amazon's callback: the page's form-action must allow it.
        allow_form_target(login.amazon_callback_uri)
    page = render_template("amazon_tr/stores/login_uri.html", login=login, store=store, form=ConfirmForm())
    return _no_trace(make_response(page))


@bp.route("/oauth/login", methods=["POST"])
def oauth_login_continue():
    try:
        login = authorization.parse_login({key: request.form.get(key) for key in LOGIN_PARAMS})
    except authorization.AuthorizationFailed as exc:
        return _login_error(exc)
    store = authorization.store_for_login(login)
    if store is None or str(store.id) != request.form.get("store_id"):
        flash(_("No store has the Seller ID %(partner)s any more. Nothing was changed.", partner=login.selling_partner_id), FLASH_ERROR)
        return redirect(url_for(".index"))
    try:
        target = authorization.continue_login(store, login, session_binding=_binding(), redirect_uri=_redirect_uri())
    except NotConfigured as exc:
        flash(_not_configured_message(exc), FLASH_ERROR)
        return redirect(url_for(".edit_store", store_id=store.id))
    return _no_trace(redirect(target))


def allow_form_target(uri: str) -> None:
    parts = urlsplit(uri)
    g.amazon_tr_form_targets = [f"{parts.scheme}://{parts.netloc}"]


# --- Yenileme anahtarını yapıştır ---------------------------------------------------------------------

@bp.route("/stores/<int:store_id>/refresh-token", methods=["POST"])
def paste_refresh_token(store_id: int):
    store = store_or_404(store_id)
    form = RefreshTokenForm()
    try:
        result = self_authorize(store, form.refresh_token.data)
    except SelfAuthorizationFailed as exc:
        flash(str(exc.message), FLASH_ERROR)
    else:
        flash(_("“%(name)s” is authorized with the refresh token from Seller Central (self-authorization). Now click Test API.",
                name=result.store.name), FLASH_OK)
        if not result.participating:
            flash(_("The token works, but Amazon says the seller account does not take part in Amazon.com.tr at the moment (isParticipating: false). Check the account's status in Seller Central."), FLASH_WARN)
    return _no_trace(redirect(url_for(".edit_store", store_id=store.id) + "#amazon-tr-connection"))


@bp.route("/stores/<int:store_id>/api-test", methods=["POST"])
def api_test(store_id: int):
    store = store_or_404(store_id)
    result = run_api_test(store)
    if is_htmx():
        # The connection box whole (the test may find the authorization revoked) and, out of band,
        # the header's status line: no part of the page keeps saying what the test has just disproved.
        return render_template("amazon_tr/stores/_connection.html", store=store, result=result, focus=True,
                               manage_apps_url=manage_apps_url()) + \
            render_template("amazon_tr/stores/_status.html", store=store, result=result, oob=True)
    form = fill_form(StoreForm(formdata=None), store)
    return store_page(form, store, result)
