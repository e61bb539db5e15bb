"""Yetkilendir and API'yi test et on the store's edit page."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for

from ..config import setting
from ..forms import ConfirmForm, StoreForm
from ..i18n import gettext as _
from ..services import authorization
from ..services.amazon import NotConfigured
from ..services.connection_test import run_api_test
from .blueprint import admin_blueprint as bp
from .blueprint import is_htmx, store_or_404
from .stores import FLASH_OK, fill_form, store_page

FLASH_WARN = "amazon_tr-warning"
FLASH_ERROR = "amazon_tr-error"
SESSION_KEY = "amazon_tr_oauth_binding"


def _redirect_uri() -> str:
    return setting("AMAZON_TR_REDIRECT_URI") or url_for("amazon_tr.oauth_callback", _external=True)


def _not_configured_message(exc: NotConfigured) -> str:
    if exc.setting == "AMAZON_TR_ENCRYPTION_KEY":
        return _("Authorization cannot start: no encryption key is set (AMAZON_TR_ENCRYPTION_KEY), so the Amazon authorization could not be stored safely. Ask your developer to set it.")
    return _("Authorization cannot start: the setting %(setting)s is missing. Ask your developer to set it.", setting=exc.setting)


@bp.route("/stores/<int:store_id>/authorize", methods=["POST"])
def authorize(store_id: int):
    store = store_or_404(store_id)
    binding = session.get(SESSION_KEY)
    if not binding:
        binding = session[SESSION_KEY] = authorization.new_session_binding()
    try:
        consent_url = authorization.start(store, session_binding=binding, redirect_uri=_redirect_uri())
    except NotConfigured as exc:
        flash(_not_configured_message(exc), FLASH_ERROR)
        target = url_for(".edit_store", store_id=store.id)
        if is_htmx():
            response = make_response("", 204)
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target)
    if is_htmx():
        # Authorization leaves the page: a full navigation, never a swap.
        response = make_response("", 204)
        response.headers["HX-Redirect"] = consent_url
        return response
    return redirect(consent_url)


CALLBACK_MESSAGES = {
    "denied": lambda: _("Authorization was cancelled on Amazon (Reddet). Nothing was changed; click Authorize to try again."),
    "missing_state": lambda: _("Amazon's answer is incomplete (no state). Start the authorization again with the Authorize button."),
    "unknown_state": lambda: _("This authorization link is not valid. Start the authorization again with the Authorize button."),
    "expired_state": lambda: _("The authorization took longer than 10 minutes and expired. Click Authorize again."),
    "used_state": lambda: _("This authorization answer was already used. Click Authorize again if you want to renew the authorization."),
    "other_session": lambda: _("This authorization was started in another session. Start it again from this browser with the Authorize button."),
    "missing_code": lambda: _("Amazon did not send an authorization code. Click Authorize again."),
    "bad_partner_id": lambda: _("Amazon's answer has no valid seller ID. Click Authorize again."),
    "token_refused": lambda: _("Amazon did not accept the authorization code (it may have expired after 5 minutes or been used already). Click Authorize again."),
    "token_unreachable": lambda: _("Amazon's login service could not be reached. Nothing was changed; try again in a few minutes."),
    "no_key": lambda: _("Authorization cannot start: no encryption key is set (AMAZON_TR_ENCRYPTION_KEY), so the Amazon authorization could not be stored safely. Ask your developer to set it."),
}


@bp.route("/oauth/callback")
def oauth_callback():
    params = {key: request.args.get(key) for key in ("state", "selling_partner_id", "spapi_oauth_code", "error")}
    try:
        result = authorization.complete(params, session_binding=session.get(SESSION_KEY),
                                        redirect_uri=_redirect_uri())
    except authorization.AuthorizationFailed as exc:
        flash(CALLBACK_MESSAGES[exc.reason](), FLASH_ERROR)
        target = url_for(".edit_store", store_id=exc.store_id) if exc.store_id else url_for(".index")
    else:
        store = result.store
        flash(_("“%(name)s” is authorized with Amazon. Now click Test API.", name=store.name), FLASH_OK)
        if result.partner_id_differs:
            flash(_("The seller who authorized (%(partner)s) is not the Seller ID entered for this store (%(seller)s). Check that you signed in with the right Amazon account.",
                    partner=store.selling_partner_id, seller=store.seller_id), FLASH_WARN)
        target = url_for(".edit_store", store_id=store.id)
    response = redirect(target)
    # The code and state are in this URL: no page it leads to may see them.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/stores/<int:store_id>/api-test", methods=["POST"])
def api_test(store_id: int):
    store = store_or_404(store_id)
    result = run_api_test(store)
    if is_htmx():
        return render_template("amazon_tr/stores/_api_test.html", store=store, result=result, confirm_form=ConfirmForm())
    form = fill_form(StoreForm(formdata=None), store)
    return store_page(form, store, result)
