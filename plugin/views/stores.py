"""Amazon Mağazalarım: list, add, edit and delete stores."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, flash, redirect, render_template, url_for

from ..config import amazon_settings
from ..errors import InvalidSettings
from ..forms import AUTO_UPDATE_HELP, ConfirmForm, StoreForm
from ..i18n import gettext as _
from ..services import schedule
from ..services import stores as store_service
from ..services.connection_test import last_result
from .blueprint import admin_blueprint as bp
from .blueprint import store_or_404
from .orders import box_context as orders_box_context

FLASH_OK = "amazon_tr-success"


def _data_from(form: StoreForm) -> store_service.StoreData:
    flags = form.flags()
    return store_service.StoreData(
        name=form.name.data,
        seller_id=form.seller_id.data,
        store_url=form.store_url.data,
        auto_update_type=form.auto_update_type.data,
        **flags,
    )


def manage_apps_url() -> str:
    """Seller Central's Manage Your Apps, where a seller re-authorizes an application from Amazon's side.

    The local sandbox is told the Log-in URI to load, since its application has none registered
    (a real application's Log-in URI is set in its registration: README, "Authorizing a store").
    """
    conf = amazon_settings(current_app.config)
    url = f"{conf.seller_central_url}/apps/manage"
    if conf.mode == "local":
        url += "?" + urlencode({"login_uri": url_for(".oauth_login", _external=True)})
    return url


def current_result(store, result):
    """The API test's answer, unless the store was authorized again since: an answer about the old
    authorization ("not authorized yet", "revoked") would contradict the authorization box."""
    if result is None or store.last_test_at is None:
        return None
    if store.authorized_at is not None and store.last_test_at < store.authorized_at:
        return None
    return result


def store_page(form: StoreForm, store, result) -> str:
    """A saved store's page: its form, the API test's result and the boxes of its syncs."""
    result = current_result(store, result)
    return render_template("amazon_tr/stores/form.html", form=form, store=store, help=AUTO_UPDATE_HELP,
                           result=result, confirm_form=ConfirmForm(), box=orders_box_context(store),
                           manage_apps_url=manage_apps_url())


def _apply_service_errors(form: StoreForm, exc: InvalidSettings) -> None:
    for field, message in exc.errors.items():
        getattr(form, field).errors = list(getattr(form, field).errors) + [str(message)]


def fill_form(form: StoreForm, store) -> StoreForm:
    form.process(data={
        "name": store.name,
        "seller_id": store.seller_id,
        "store_url": store.store_url or "",
        "active": "1" if store.active else "0",
        "order_import": "1" if store.order_import else "0",
        "product_update": "1" if store.product_update else "0",
        "auto_update_type": store.auto_update_type,
    })
    return form


@bp.route("/")
def index():
    return render_template(
        "amazon_tr/stores/index.html",
        stores=store_service.list_stores(),
        confirm_form=ConfirmForm(),
        sched=schedule.status(),
    )


@bp.route("/stores/new", methods=["GET", "POST"])
def new_store():
    form = StoreForm()
    if form.validate_on_submit():
        try:
            store = store_service.create_store(_data_from(form))
        except InvalidSettings as exc:
            _apply_service_errors(form, exc)
        else:
            flash(_("Store “%(name)s” was added. Now authorize it with Amazon.", name=store.name), FLASH_OK)
            return redirect(url_for(".edit_store", store_id=store.id))
    return render_template("amazon_tr/stores/form.html", form=form, store=None, help=AUTO_UPDATE_HELP), (
        422 if form.errors else 200
    )


@bp.route("/stores/<int:store_id>", methods=["GET", "POST"])
def edit_store(store_id: int):
    store = store_or_404(store_id)
    form = StoreForm()
    if not form.is_submitted():
        fill_form(form, store)
    elif form.validate():
        try:
            store_service.update_store(store, _data_from(form))
        except InvalidSettings as exc:
            _apply_service_errors(form, exc)
        else:
            flash(_("Changes to “%(name)s” were saved.", name=store.name), FLASH_OK)
            return redirect(url_for(".edit_store", store_id=store.id))
    return store_page(form, store, last_result(store)), (422 if form.errors else 200)


@bp.route("/stores/<int:store_id>/delete", methods=["GET", "POST"])
def delete_store(store_id: int):
    store = store_or_404(store_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = store.name
        store_service.delete_store(store)
        flash(_("Store “%(name)s” and its authorization were deleted.", name=name), FLASH_OK)
        return redirect(url_for(".index"))
    return render_template("amazon_tr/stores/delete.html", store=store, form=form)
