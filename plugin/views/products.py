"""The products page of a store: links with state and issues, settings, preview, şimdi gönder."""
from __future__ import annotations

from datetime import datetime, time, timezone
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for

from ..errors import InvalidSettings
from ..forms import AUTO_UPDATE_CHOICES
from ..forms_products import PriceLockForm, PriceRuleForm, ProductSettingsForm
from ..i18n import gettext as _
from ..models import ListingLink
from ..services import listings as service
from ..services import runs
from ..services import messages
from ..services.listings import inventory, values, verdicts
from ..spapi.constants import MARKETPLACE_TZ as SHOP_TZ
from ..state import state
from .blueprint import admin_blueprint as bp
from .blueprint import is_htmx, safe_next, store_or_404, whole_number
from .formatting import money_try
from .labels import feed_status, listing_status
from .products_parts import (HISTORY, issue_renderer, links_context, list_args, list_query, product_names,
                             render_oob)

FLASH_OK = "amazon_tr-success"
FLASH_ERROR = "amazon_tr-error"
STATE_FILTERS = service.status.SHOWN_STATES


def _state_labels() -> dict[str, str]:
    # "live" (yayında) only when Amazon's own status says BUYABLE (services/listings/status.py)
    return {"pending": _("waiting"), "live": _("live"), "processing": _("accepted, Amazon is processing"),
            "not_buyable": _("not buyable"), "error": _("error"), "locked": _("catalog locked"),
            "unlinked": _("unlinked")}


def _amazon_status_text(link) -> str | None:
    """Amazon's own status under the badge: what its summary says, in Turkish."""
    if link.state not in ("live", "locked"):
        return None
    if link.amazon_status is None:
        return _("Amazon accepted the last change and is processing it; its status is read back shortly.")
    found = link.amazon_statuses
    if "BUYABLE" in found:
        return _("Amazon: buyable")
    if "DISCOVERABLE" in found:
        return _("Amazon: visible to shoppers but not buyable")
    return _("Amazon: not visible and not buyable")


def _part_labels() -> dict[str, str]:
    return {"content": _("Product information"), "price": _("Price"), "stock": _("Stock")}


def _helpers() -> dict:
    def issue_text(issue, product_type=None):  # titles already read; the page's own renderer may read more
        return service.issues.issue_html(issue, service.product_types.known_titles(product_type), feed_status)
    return {"state_labels": _state_labels(), "part_labels": _part_labels(), "issue_text": issue_text,
            "amazon_listing_status": listing_status,
            "shown_state": service.status.shown_state, "amazon_status_text": _amazon_status_text,
            "fits_path": values.sku_fits_a_path,
            "money": money_try, "shop_tz": SHOP_TZ, "blocked_texts": {k: str(v) for k, v in service.BLOCKED_REASONS.items()}}


def _percent_number(value: Decimal) -> str:
    """12.50 → "12,5": the number of a Turkish percentage (the catalog puts the % before it: %12,5)."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _example(settings) -> list[tuple[str, str]]:
    rules = values.Rules.from_settings(settings)
    steps = values.price_steps(Decimal("100.00"), rules)
    labels = {"shop": _("Price in your shop"), "markup": _("After the %(percent)s%% markup",
                                                                percent=_percent_number(rules.markup_percent)),
              "fixed": _("After adding %(amount)s", amount=money_try(rules.fixed_amount)),
              "rounded": _("Sent to Amazon, after rounding")}
    return [(labels[key], money_try(amount)) for key, amount in steps]


def _page(store, *, errors=None, typed=None, status=200):
    settings = service.get_settings(store.id)
    return render_template(
        "amazon_tr/products/index.html", store=store, settings=settings,
        categories=service.shop_categories(), example=_example(settings), errors=errors or {}, typed=typed or {},
        blocked=service.blocked_reason(store), runs=runs.latest_runs(store.id, "products", limit=HISTORY),
        inventory_run=inventory.last_pass(store.id), inventory_read_at=inventory.read_at(store.id),
        product_types=service.product_types.amazon_product_types(store),
        **{**_helpers(), **links_context(store, **list_args())},
    ), status


@bp.route("/stores/<int:store_id>/products")
def products(store_id: int):
    return _page(store_or_404(store_id))


@bp.route("/stores/<int:store_id>/products/settings", methods=["POST"])
def product_settings(store_id: int):
    store = store_or_404(store_id)
    form = ProductSettingsForm()
    errors = form.error_map() if not form.validate() else {}
    if not errors:
        try:
            service.save_settings(store.id, stock_buffer=form.stock_buffer.data, max_quantity=form.max_quantity.data,
                                  markup_percent=form.markup_percent.data, fixed_amount=form.fixed_amount.data,
                                  rounding=form.rounding.data, default_product_type=form.default_product_type.data,
                                  category_map=form.category_map(request.form))
        except InvalidSettings as exc:
            errors = {field: str(message) for field, message in exc.errors.items()}
        else:
            flash(_("Product update settings were saved."), FLASH_OK)
            return redirect(url_for(".products", store_id=store.id))
    # the page shows what was typed, nothing is saved
    typed = {name: getattr(form, name).raw for name in ("stock_buffer", "max_quantity", "markup_percent", "fixed_amount")}
    return _page(store, errors=errors, typed=typed, status=422)


@bp.route("/stores/<int:store_id>/products/example")
def price_example(store_id: int):
    """The worked example under the price rule, recomputed as the admin types (htmx)."""
    store_or_404(store_id)
    form = PriceRuleForm(formdata=request.args)
    draft = service.get_settings(store_id)
    if form.validate() and not service.settings_errors(markup_percent=form.markup_percent.data,
                                                       fixed_amount=form.fixed_amount.data,
                                                       rounding=form.rounding.data):
        draft.markup_percent, draft.fixed_amount = form.markup_percent.data, form.fixed_amount.data
        draft.rounding = form.rounding.data
    return render_template("amazon_tr/products/_example.html", example=_example(draft))


def _push_status(store, *, message=None, kind="success", polled=False):
    latest = runs.latest_runs(store.id, "products", limit=1)
    run = latest[0] if latest else None
    html = render_template("amazon_tr/products/_push_status.html", store=store, run=run, message=message,
                           kind=kind, list_query=list_query(**list_args()), **_helpers())
    if polled and run is not None and run.status != "running":
        # the push ended: the list, its counts and the history now say what it did
        html += render_oob(store, _helpers(), links=True, history=True)
    return html


@bp.route("/stores/<int:store_id>/products/push", methods=["POST"])
def push_now(store_id: int):
    """Şimdi gönder for the whole store: runs in the background; the fragment polls the run."""
    store = store_or_404(store_id)
    reason = service.blocked_reason(store)
    if reason:
        message, kind = str(service.BLOCKED_REASONS[reason]), "warning"
    else:
        service.start_push(store.id)  # a job that dies is recorded as a failed run
        message, kind = _("Sending to Amazon has started."), "success"
    if is_htmx():
        return _push_status(store, message=message, kind=kind)
    flash(message, FLASH_OK if kind == "success" else FLASH_ERROR)
    return redirect(safe_next(request.form.get("next"), url_for(".products", store_id=store.id)))


@bp.route("/stores/<int:store_id>/products/status")
def push_status(store_id: int):
    return _push_status(store_or_404(store_id), polled=True)


def _link_or_404(store, link_id: int) -> ListingLink:
    link = service.get_link(store.id, link_id)
    if link is None:
        abort(404)
    return link


def _link_id() -> int:
    # the row's link travels in the form, so every admin URL has the store as its only variable part
    link_id = whole_number(request.form.get("link"))
    if link_id is None:  # "²" and "٣" are digits to Python, 10**30 overflows the database
        abort(404)
    return link_id


def _row(store, link, message=None, kind="success", ran=False):
    ctx = {**_helpers(), "issue_text": issue_renderer(store, [link]), "names": product_names([link]),
           "list_query": list_query(**list_args())}
    html = render_template("amazon_tr/products/_row.html", store=store, link=link, message=message, kind=kind,
                           now=state().clock.now(), **ctx)
    if is_htmx():
        # the counts change with the row's state; a run changes the last-run line and the history
        return html + render_oob(store, _helpers(), counts=True, history=ran, push=ran)
    if message:
        flash(message, FLASH_OK if kind == "success" else FLASH_ERROR)
    return redirect(url_for(".products", store_id=store.id))


@bp.route("/stores/<int:store_id>/products/row/push", methods=["POST"])
def push_one(store_id: int):
    link_id = _link_id()
    store = store_or_404(store_id)
    link = _link_or_404(store, link_id)
    reason = service.blocked_reason(store)
    if reason:
        return _row(store, link, str(service.BLOCKED_REASONS[reason]), "warning")
    try:
        run = service.push_products(store.id, trigger="manual", skus=[link.sku])
    except service.LeaseBusy:
        return _row(store, link, _("Another update of this store is running; try again in a moment."), "warning")
    link = _link_or_404(store, link_id)
    if run.error:
        return _row(store, link, run.error, "error", ran=True)
    sent = run.counts.get("patches", 0) + run.counts.get("puts", 0) + run.counts.get("feed_messages", 0)
    return _row(store, link, _("Sent to Amazon.") if sent else _("Nothing changed since Amazon's last answer."),
                ran=True)


@bp.route("/stores/<int:store_id>/products/row/unlink", methods=["POST"])
def unlink(store_id: int):
    link_id = _link_id()
    store = store_or_404(store_id)
    link = _link_or_404(store, link_id)
    service.unlink_sku(store.id, link.sku)
    return _row(store, _link_or_404(store, link_id), _("The product is no longer sent to Amazon."))


@bp.route("/stores/<int:store_id>/products/row/link", methods=["POST"])
def link(store_id: int):
    link_id = _link_id()
    store = store_or_404(store_id)
    found = _link_or_404(store, link_id)
    reason = service.blocked_reason(store)
    if reason:
        return _row(store, found, str(service.BLOCKED_REASONS[reason]), "warning")
    return _row_after_push(store, link_id, found, lambda: service.link_sku(store.id, found.sku),
                           _("The product was sent to Amazon to be linked; its state is below."))


@bp.route("/stores/<int:store_id>/products/row/confirm-price", methods=["POST"])
def confirm_price(store_id: int):
    """Fiyatı onayla: a price held for being far from Amazon's goes now."""
    link_id = _link_id()
    store = store_or_404(store_id)
    found = _link_or_404(store, link_id)
    return _row_after_push(store, link_id, found, lambda: service.confirm_price(store.id, found.sku),
                           _("The price was confirmed and sent to Amazon."))


def _row_after_push(store, link_id: int, found, push, done: str):
    """A row action that pushes the row's SKU: the row as it is afterwards, with the push's outcome."""
    try:
        run = push()
    except service.LeaseBusy:
        return _row(store, found, _("Another update of this store is running; try again in a moment."), "warning")
    link = _link_or_404(store, link_id)
    if run is not None and run.error:
        return _row(store, link, run.error, "error", ran=True)
    return _row(store, link, done, ran=run is not None)


@bp.route("/stores/<int:store_id>/products/row/status", methods=["POST"])
def refresh_status(store_id: int):
    """Durumu Amazon'dan oku: Amazon's own status of the row's SKU now (getListingsItem)."""
    link_id = _link_id()
    store = store_or_404(store_id)
    found = _link_or_404(store, link_id)
    try:
        read = service.refresh_status(store.id, found.sku)
    except messages.AMAZON_FAILURES as exc:
        return _row(store, _link_or_404(store, link_id), messages.explain(exc, "products"), "error")
    link = _link_or_404(store, link_id)
    if read is None:
        return _row(store, link, _("Amazon's status can only be read for an active, authorized store's products "
                                   "Amazon accepted."), "warning")
    if not read:
        return _row(store, link, _("Amazon has not processed the last change yet; try again in a few minutes."),
                    "warning")
    return _row(store, link, _("Amazon's status was read."))


@bp.route("/stores/<int:store_id>/products/row/price-lock", methods=["POST"])
def price_lock(store_id: int):
    link_id = _link_id()
    store = store_or_404(store_id)
    found = _link_or_404(store, link_id)
    form = PriceLockForm()
    if not form.validate():
        return _row(store, found, form.error_map()["until"], "error")
    day = form.until.data
    if day is None:
        service.set_price_lock(store.id, found.sku, None)
        return _row(store, _link_or_404(store, link_id), _("The price lock was lifted."))
    # the lock lasts to the end of that day in Türkiye
    until = datetime.combine(day, time(23, 59, 59), tzinfo=SHOP_TZ).astimezone(timezone.utc)
    if until <= state().clock.now():
        return _row(store, found, _("Choose a date in the future."), "error")
    service.set_price_lock(store.id, found.sku, until)
    return _row(store, _link_or_404(store, link_id),
                _("Prices of this product are not sent until %(date)s.", date=day.strftime("%d.%m.%Y")))


@bp.route("/stores/<int:store_id>/products/preview")
def preview(store_id: int):
    store = store_or_404(store_id)
    update_type = request.args.get("type")
    if update_type not in values.TYPE_PARTS:
        update_type = store.auto_update_type
    rows = service.preview(store.id, update_type=update_type, limit=500)
    return render_template("amazon_tr/products/preview.html", store=store, rows=rows, update_type=update_type,
                           choices=AUTO_UPDATE_CHOICES, sample=_sample(rows), verdicts=None, verdict_error=None,
                           **_helpers())


def _sample(rows) -> list[str]:
    """The rows Amazon is asked about: the first ones that would send something."""
    return [row.sku for row in rows if row.action in ("link", "update") and row.parts][:verdicts.SAMPLE]


@bp.route("/stores/<int:store_id>/products/preview/verdicts")
def preview_verdicts(store_id: int):
    """The preview's rows again, with Amazon's verdict (mode=VALIDATION_PREVIEW) beside the sample (htmx)."""
    store = store_or_404(store_id)
    update_type = request.args.get("type")
    if update_type not in values.TYPE_PARTS:
        update_type = store.auto_update_type
    rows = service.preview(store.id, update_type=update_type, limit=500)
    sample = _sample(rows)
    found = verdicts.amazon_verdicts(store.id, update_type=update_type, skus=sample)
    return render_template("amazon_tr/products/_preview_rows.html", store=store, rows=rows, update_type=update_type,
                           sample=sample, verdicts=found.by_sku, verdict_error=found.error, **_helpers())
