"""Flask-WTF forms. Labels and messages are lazy so they follow the page's language."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, SelectField, StringField, ValidationError
from wtforms.i18n import get_translations as wtforms_translations

from . import validation
from .i18n import current_locale
from .i18n import lazy_gettext as _l

ON_OFF = [("1", _l("Active")), ("0", _l("Passive"))]

AUTO_UPDATE_CHOICES = [
    ("all", _l("All information")),
    ("product_info", _l("Product information only")),
    ("price", _l("Price only")),
    ("stock", _l("Stock only")),
    ("stock_price", _l("Stock and price")),
]

AUTO_UPDATE_HELP = {
    "all": _l("Updates every detail of the product that the marketplace allows."),
    "product_info": _l("Only product details are updated; price and stock are not."),
    "price": _l("Only the price is updated."),
    "stock": _l("Only the stock is updated."),
    "stock_price": _l("Price and stock are updated together."),
}


class PluginForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            # WTForms ships Turkish messages for its own validators.
            return wtforms_translations([current_locale(), "en"])


def _rule(fn):
    """A WTForms validator from a rule in validation.py; stores the cleaned value."""

    def check(form, field):
        try:
            field.data = fn(field.data)
        except validation.InvalidValue as exc:
            raise ValidationError(str(exc.message)) from None

    return check


def _coerce_flag(value):
    return value in ("1", 1, True, "True", "true", "on")


class StoreForm(PluginForm):
    name = StringField(
        _l("Store name"),
        validators=[_rule(validation.store_name)],
        description=_l("A name for the store, e.g. My Amazon Store."),
        render_kw={"maxlength": validation.NAME_MAX, "autocomplete": "off"},
    )
    active = SelectField(
        _l("Store status"),
        choices=ON_OFF,
        default="1",
        description=_l("Turns the integration between your store and your site on or off. While passive, order and product integration stops."),
    )
    seller_id = StringField(
        _l("Seller ID"),
        validators=[_rule(validation.seller_id)],
        description=_l("The unique ID of your store on Amazon. Sign in to sellercentral.amazon.com.tr and open Account Info → Seller ID."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    store_url = StringField(
        _l("Store address"),
        validators=[_rule(validation.store_url)],
        description=_l("The link to your store on amazon.com.tr. If you enter it, the Amazon logo appears at the bottom of your site and visitors can reach your Amazon store."),
        render_kw={"placeholder": "https://www.amazon.com.tr/s?me=…", "inputmode": "url"},
    )
    order_import = SelectField(
        _l("Order import"),
        choices=ON_OFF,
        default="1",
        description=_l("While active, every order from Amazon is imported into your shop."),
    )
    product_update = SelectField(
        _l("Product update"),
        choices=ON_OFF,
        default="0",
        description=_l("Active: products on your site that are matched with Amazon are sent and updated. Passive: no products are sent and your products on Amazon are not updated from here."),
    )
    auto_update_type = SelectField(
        _l("Automatic product update type"),
        choices=AUTO_UPDATE_CHOICES,
        default="stock_price",
        validators=[_rule(validation.auto_update_type)],
        description=_l("Decides which information of your products is updated on Amazon automatically."),
    )

    def flags(self) -> dict:
        return {name: _coerce_flag(getattr(self, name).data) for name in ("active", "order_import", "product_update")}


class ConfirmForm(PluginForm):
    """A form with only the CSRF token, for delete and action buttons."""


class RefreshTokenForm(PluginForm):
    """Yenileme anahtarını yapıştır: the token Seller Central shows after self-authorizing a private app.

    A password field: the token is a credential, never shown again nor sent back in a page.
    """

    class Meta:
        csrf = False  # checked by the blueprint for every POST

    refresh_token = PasswordField(
        _l("Refresh token"),
        description=_l("In Seller Central open Apps and Services → Develop Apps, choose Authorize for your application and copy the refresh token it shows (it starts with Atzr|)."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 4096},
    )


def strip(value):
    """A filter: surrounding spaces off a typed value."""
    return value.strip() if isinstance(value, str) else value


class ActionForm(PluginForm):
    class Meta:
        csrf = False  # checked by the blueprint for every POST

    def error_map(self) -> dict[str, str]:
        """The first message of each field with an error, for the templates."""
        return {name: str(errors[0]) for name, errors in self.errors.items() if name and errors}


class DayField(DateField):
    """A day typed by the admin as gg.aa.yyyy (or ISO, from a date picker or a script); shown as gg.aa.yyyy.

    The admin pages use a text field for it, not ``type=date``: Chromium shows a date field in the
    browser's own format (mm/dd/yyyy in an English browser) whatever the page's ``lang``. A wrong day
    gets ``message`` instead of WTForms' generic text.
    """

    def __init__(self, label=None, validators=None, *, message, **kwargs) -> None:
        kwargs.setdefault("format", ["%d.%m.%Y", "%Y-%m-%d"])
        super().__init__(label, validators, **kwargs)
        self.message = message

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d.%m.%Y") if self.data else ""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.message)) from None
