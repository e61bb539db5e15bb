"""The admin blueprint, its guards (host admin check, CSRF, body size) and helpers shared by the page modules."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, render_template, request
from flask_wtf.csrf import generate_csrf, validate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response
from wtforms import ValidationError

from ..config import setting
from ..forms import AUTO_UPDATE_CHOICES
from ..i18n import current_locale, gettext, ngettext
from ..resources import templates_dir
from ..services import stores as store_service
from ..state import state as plugin_state
from . import formatting

log = logging.getLogger("amazon_tr")

admin_blueprint = Blueprint("amazon_tr", __name__, template_folder=str(templates_dir()))

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def store_or_404(store_id: int):
    """The store a URL names, or the admin's 404 page."""
    store = store_service.get_store(store_id)
    if store is None:
        abort(404)
    return store


@admin_blueprint.before_request
def _admin_only():
    state = plugin_state()
    guard = state.admin_guard
    if guard is None:
        # Secure by default: without the host's admin check only the demo and debug mode open.
        if current_app.debug or setting("AMAZON_TR_DEMO"):
            return None
        return render_template("amazon_tr/error.html", code=403, reason="no_guard"), 403
    verdict = guard()
    if isinstance(verdict, Response):
        return verdict
    if not verdict:
        return render_template("amazon_tr/error.html", code=403, reason="denied"), 403
    return None


@admin_blueprint.before_request
def _csrf():
    if request.method not in UNSAFE_METHODS:
        return None
    limit = setting("AMAZON_TR_MAX_FORM_BYTES")
    if limit and (request.content_length or 0) > limit:
        # Refused before the body is parsed: an admin form never needs this much.
        return render_template("amazon_tr/error.html", code=413, reason="too_large"), 413
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError:
        if is_htmx():
            # htmx 2 does not swap 4xx answers; say it in a 200 fragment instead.
            return render_template("amazon_tr/partials/_alert.html", kind="error", message=gettext(
                "The security check of the form failed (the page may be too old). Reload the page and try again."
            ))
        return render_template("amazon_tr/error.html", code=400, reason="csrf"), 400
    return None


@admin_blueprint.context_processor
def _template_helpers():
    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "amazon_tr_layout": setting("AMAZON_TR_ADMIN_LAYOUT"),
        "amazon_tr_csrf_token": generate_csrf,
        "fmt_datetime": formatting.datetime_tr,
        "fmt_date": formatting.date_tr,
        "amazon_tr_locale": current_locale(),
        "update_type_labels": {value: str(label) for value, label in AUTO_UPDATE_CHOICES},
    }


@admin_blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return render_template("amazon_tr/error.html", code=exc.code, reason="http"), exc.code


@admin_blueprint.errorhandler(Exception)
def _unexpected(exc: Exception):
    log.exception("unexpected error in the Amazon admin pages")
    return render_template("amazon_tr/error.html", code=500, reason="unexpected"), 500
