"""Flask-WTF forms of the products page: the product settings (stock and price rule, product types),
the price rule's live example and a product's price lock. Field names are the ones the templates post.

The bounds are the service's (``services.listings.settings``): the form turns typed text into numbers
with Turkish messages, the service refuses values out of bounds, so the CLI and jobs meet the same rules.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import Field, SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional

from .forms import ActionForm, DayField, strip
from .i18n import lazy_gettext as _l
from .models.listings import PRICE_ROUNDINGS
from .services.listings.settings import PRODUCT_TYPE_MAX, QUANTITY_MAX

NOT_A_NUMBER = _l("Enter a number, e.g. 12,5.")
NOT_WHOLE = _l("Enter a whole number of zero or more.")
_ASCII_DIGITS = frozenset("0123456789")


class TextNumberField(Field):
    """A number typed by a person: ``12,5`` or ``12.5``; ASCII digits only (``²`` or ``٣`` are refused)."""

    def __init__(self, label=None, validators=None, *, whole: bool = False, empty=None, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.whole, self.empty, self.raw = whole, empty, ""

    def process_formdata(self, valuelist) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        if not self.raw:
            self.data = self.empty
            return
        self.data = None
        if self.whole:
            if not set(self.raw) <= _ASCII_DIGITS or len(self.raw) > 7 or int(self.raw) > QUANTITY_MAX:
                raise ValueError(str(NOT_WHOLE))
            self.data = int(self.raw)
            return
        text = self.raw.replace(",", ".")
        if not set(text.lstrip("+-")) <= _ASCII_DIGITS | {"."} or len(text) > 12:
            raise ValueError(str(NOT_A_NUMBER))
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(str(NOT_A_NUMBER)) from None
        self.data = value.quantize(Decimal("0.01"))

    def _value(self) -> str:
        return self.raw if self.raw else ("" if self.data is None else str(self.data))


class PriceRuleForm(ActionForm):
    """Markup, fixed amount and rounding: the price rule, also read from the query for the live example."""

    markup_percent = TextNumberField(empty=Decimal("0"))
    fixed_amount = TextNumberField(empty=Decimal("0"))
    rounding = SelectField(choices=[(r, r) for r in PRICE_ROUNDINGS], default="none",
                           validate_choice=False, filters=[strip])

    def validate_rounding(self, field) -> None:
        if field.data not in PRICE_ROUNDINGS:
            raise ValidationError(str(_l("Choose one of the rounding options.")))


class ProductSettingsForm(PriceRuleForm):
    """The products page's settings: stock rule, price rule, product types (``category:<shop category>``)."""

    stock_buffer = TextNumberField(whole=True, empty=0)
    max_quantity = TextNumberField(whole=True, empty=None)
    default_product_type = StringField(filters=[strip], validators=[
        Optional(), Length(max=PRODUCT_TYPE_MAX, message=_l("Use at most 100 characters."))])

    def category_map(self, formdata) -> dict[str, str]:
        """The product type typed for each shop category (fields named ``category:<name>``)."""
        return {key[len("category:"):]: value.strip()[:PRODUCT_TYPE_MAX]
                for key, value in formdata.items() if key.startswith("category:") and value.strip()}


class PriceLockForm(ActionForm):
    """A product's price lock: the last day its price stays as it is on Amazon (empty lifts the lock)."""

    until = DayField(validators=[Optional()], message=_l("Enter the date as day, month and year."))
