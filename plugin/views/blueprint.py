"""The admin blueprint, its guards (host admin check, ids that fit the database, body size, CSRF), the
headers of every answer (no framing, only the plugin's own script and style) and helpers shared by the
page modules."""
from __future__ import annotations

import io
import logging
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_wtf.csrf import generate_csrf, validate_csrf
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.wrappers import Response
from wtforms import ValidationError

from ..config import amazon_settings, setting
from ..forms import AUTO_UPDATE_CHOICES
from ..logsafe import log_failure
from ..i18n import current_locale, gettext, ngettext
from ..resources import templates_dir
from ..services import stores as store_service
from ..state import state as plugin_state
from . import formatting, labels

log = logging.getLogger("amazon_tr")

admin_blueprint = Blueprint("amazon_tr", __name__, template_folder=str(templates_dir()))

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Ids are 64-bit integers in every database the plugin supports; a larger one names nothing.
MAX_ID = 2 ** 63 - 1
# A page number has at most this many ASCII digits (page 999,999 of 50 rows is still a valid offset).
PAGE_DIGITS = 6


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


class BadPage(BadRequest):
    """``?page=`` is not a page number: not ASCII digits, below 1 or absurdly large."""

    reason = "bad_page"


def store_or_404(store_id: int):
    """The store a URL names, or the admin's 404 page."""
    if not 0 < store_id <= MAX_ID:
        abort(404)
    store = store_service.get_store(store_id)
    if store is None:
        abort(404)
    return store


def page_arg(name: str = "page") -> int:
    """The page a list shows (1 when the query does not say); anything but 1…999999 in ASCII digits is a 400."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit()) or len(raw) > PAGE_DIGITS or int(raw) < 1:
        raise BadPage()
    return int(raw)


def whole_number(raw: str | None) -> int | None:
    """``raw`` as an id if it is 1…2⁶³−1 in ASCII digits, else None (``²`` and ``٣`` are digits to Python)."""
    if not raw or not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default``: the one check of every ``next``.

    Browsers drop tabs and newlines anywhere in a URL, ignore leading spaces and read a
    backslash as a slash, so "/\\t/evil.com", " //evil.com" and "/\\\\evil.com" all lead to
    //evil.com, another site. A target with a control character or a backslash is refused
    outright; what is left must be a path starting with one slash, without a scheme or host
    even once whitespace is dropped.
    """
    if not target or not isinstance(target, str):
        return default
    if "\\" in target or any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in target):
        return default
    squeezed = "".join(ch for ch in target if not ch.isspace())
    if not squeezed.startswith("/") or squeezed.startswith("//"):
        return default
    parts = urlsplit(squeezed)
    if parts.scheme or parts.netloc:
        return default
    return target


# --- errors: a Turkish page, or for htmx a 200 fragment it swaps in place ----------------------------

def error_texts(code: int, reason: str) -> tuple[str, str]:
    """The heading and the sentence of an error, in the admin's language."""
    if code == 403 and reason == "no_guard":
        return gettext("Access denied"), gettext(
            "These pages are closed until the shop tells the Amazon integration who its administrators are (the admin_guard setting).")
    if code == 403:
        return gettext("Access denied"), gettext(
            "Only shop administrators can open the Amazon store settings. Sign in with an administrator account.")
    if reason == "csrf":
        return gettext("The form could not be verified"), gettext(
            "The security check of the form failed (the page may be too old). Reload the page and try again.")
    if code == 413:
        return gettext("The form is too large"), gettext(
            "What was sent is larger than any form of these pages needs. Go back and send it again without the extra content.")
    if reason == "nul":
        return gettext("The request could not be processed"), gettext(
            "What was sent contains a character that cannot be stored (NUL). Remove it and try again.")
    if reason == "bad_page":
        return gettext("The page number is not valid"), gettext(
            "The page number is not valid. Use the page links of the list.")
    if code == 404:
        return gettext("Not found"), gettext("This Amazon store does not exist (it may have been deleted).")
    if code >= 500:
        return gettext("Something went wrong"), gettext(
            "An unexpected error occurred. Nothing was changed; please try again. If it keeps happening, tell your developer (the details are in the application log).")
    return gettext("The request could not be processed"), gettext("Please go back and try again.")


def error_answer(code: int, reason: str):
    """The Turkish error page with ``code``; for htmx a 200 alert, since htmx 2 swaps no 4xx/5xx answer."""
    title, text = error_texts(code, reason)
    if is_htmx():
        return render_template("amazon_tr/partials/_alert.html", kind="error", message=text), 200
    return render_template("amazon_tr/error.html", code=code, reason=reason, title=title, text=text), code


@admin_blueprint.before_request
def _admin_only():
    state = plugin_state()
    guard = state.admin_guard
    if guard is None:
        # Secure by default: without the host's admin check only the demo and debug mode open.
        if current_app.debug or setting("AMAZON_TR_DEMO"):
            return None
        return error_answer(403, "no_guard")
    verdict = guard()
    if isinstance(verdict, Response):
        return verdict
    if not verdict:
        return error_answer(403, "denied")
    return None


@admin_blueprint.before_request
def _ids_fit():
    # /stores/99999999999999999999999 names no row; asking the database would overflow its integer.
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            return error_answer(404, "http")
    return None


def _read_at_most(limit: int) -> bytes | None:
    """A body without Content-Length (Transfer-Encoding: chunked), read up to ``limit`` bytes; None if longer."""
    stream = request.environ["wsgi.input"]
    body = bytearray()
    while len(body) <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - len(body)))
        if not chunk:
            return bytes(body)
        body.extend(chunk)
    return None


@admin_blueprint.before_request
def _body_limit():
    if request.method not in UNSAFE_METHODS:
        return None
    limit = setting("AMAZON_TR_MAX_FORM_BYTES")
    if not limit:
        return None
    if (request.content_length or 0) > limit:
        # Refused before the body is parsed: an admin form never needs this much.
        return error_answer(413, "too_large")
    if request.content_length is None and "wsgi.input_terminated" in request.environ:
        # A chunked body says its size only at its end: read it here, at most the limit, before
        # the form parser does (Werkzeug would cut it at a maximum silently, not refuse it).
        body = _read_at_most(limit)
        if body is None:
            return error_answer(413, "too_large")
        request.environ["wsgi.input"] = io.BytesIO(body)
    return None


# Pages that judge every character they are sent themselves (the store form names the field with a
# control character; the OAuth callback only hashes and compares Amazon's values).
CHECKS_ITS_OWN_TEXT = {"amazon_tr.new_store", "amazon_tr.edit_store", "amazon_tr.oauth_callback"}


@admin_blueprint.before_request
def _no_nul():
    # No admin field needs a NUL character, and PostgreSQL refuses one in any text it stores or compares.
    if request.endpoint in CHECKS_ITS_OWN_TEXT:
        return None
    fields = [request.args] + ([request.form] if request.method in UNSAFE_METHODS else [])
    for field in fields:
        for key, values in field.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return error_answer(400, "nul")
    return None


@admin_blueprint.before_request
def _csrf():
    if request.method not in UNSAFE_METHODS:
        return None
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError:
        return error_answer(400, "csrf")
    return None


def _form_targets() -> str:
    """Where the admin's forms may go: this site, and Seller Central's consent page (Yetkilendir posts a
    form that is answered by a redirect there; browsers check form-action on that redirect too)."""
    parts = urlsplit(amazon_settings(current_app.config).seller_central_url)
    # A page may add Amazon's checked callback (the Log-in URI page: views/connection.allow_form_target).
    extra = "".join(f" {origin}" for origin in g.get("amazon_tr_form_targets", ()))
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"'self' {parts.scheme}://{parts.netloc}{extra}"
    return f"'self'{extra}"


@admin_blueprint.after_request
def _lock_down(response: Response) -> Response:
    """Every admin answer: never in a frame, and only the plugin's own script and style files run."""
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # a host whose admin layout (AMAZON_TR_ADMIN_LAYOUT) needs inline code sets its own policy
    response.headers["Content-Security-Policy"] = setting("AMAZON_TR_CONTENT_SECURITY_POLICY") or (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
        f"base-uri 'self'; form-action {_form_targets()}; frame-ancestors 'none'"
    )
    return response


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
        "amazon_order_status": labels.order_status,
        "amazon_run_status": labels.run_status,
        "amazon_fulfillment_channel": labels.fulfillment_channel,
        "shop_order_state": labels.shop_order_state,
        "amazon_run_trigger": labels.run_trigger,
        "amazon_feed_status": labels.feed_status,
        "amazon_tr_locale": current_locale(),
        "update_type_labels": {value: str(label) for value, label in AUTO_UPDATE_CHOICES},
    }


@admin_blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    code = exc.code or 500
    return error_answer(code, getattr(exc, "reason", None) or ("too_large" if code == 413 else "http"))


@admin_blueprint.errorhandler(Exception)
def _unexpected(exc: Exception):
    log_failure(log, "unexpected error in the Amazon admin pages", exc=exc)
    try:
        plugin_state().db.session.rollback()  # a failed statement must not poison the error page's own reads
    except Exception:  # noqa: BLE001 - the page is still shown
        pass
    return error_answer(500, "unexpected")

