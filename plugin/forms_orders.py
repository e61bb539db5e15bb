"""Flask-WTF forms of the order and shipment pages: import settings, re-import, import by number,
"Kargo bildir" and the carrier list. Field names are the ones the templates post.

The admin blueprint checks the CSRF token of every POST (a form field, or htmx's
X-CSRFToken header), so these forms do not check it a second time.
"""
from __future__ import annotations

from typing import Iterable

from wtforms import BooleanField, RadioField, StringField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from .forms import ActionForm, DayField, strip as _strip
from .i18n import lazy_gettext as _l
from .services.orders import prefix_error, unknown_sku_error
from .services.shipments.carriers import CARRIERS, OTHER, TEXT_MAX

TOO_LONG = _l("Use at most 100 characters.")


# --- orders ----------------------------------------------------------------------------

class OrderSettingsForm(ActionForm):
    """The store's order number prefix (the shop's default or its own) and its unknown SKU policy."""

    prefix_mode = RadioField(choices=[("default", "default"), ("own", "own")], default="default",
                             validate_choice=False)
    number_prefix = StringField(_l("Order number prefix"), filters=[_strip])
    unknown_sku = RadioField(
        _l("When an order has a stock code the shop does not know"),
        choices=[("skip", _l("Do not import the order; show a warning")),
                 ("unmatched", _l("Import the order with an unmatched line"))],
        validate_choice=False)

    @classmethod
    def of(cls, settings) -> "OrderSettingsForm":
        own = settings.number_prefix is not None
        return cls(data={"prefix_mode": "own" if own else "default", "number_prefix": settings.number_prefix or "",
                         "unknown_sku": settings.unknown_sku})

    def own_prefix(self) -> str | None:
        """The store's own prefix ('' for none), or None for the shop's default."""
        return None if self.prefix_mode.data == "default" else (self.number_prefix.data or "")

    def validate_number_prefix(self, field) -> None:
        if self.own_prefix() is not None and (reason := prefix_error(self.own_prefix())) is not None:
            raise ValidationError(str(reason))

    def validate_unknown_sku(self, field) -> None:
        if (reason := unknown_sku_error(field.data)) is not None:
            raise ValidationError(str(reason))


class ReimportForm(ActionForm):
    """"Re-import from a date": empty for the store's cursor (the store page's button)."""

    # gg.aa.yyyy as a Turkish admin types it (DayField), or ISO from a script
    since = DayField(validators=[Optional()], message=_l("Enter the date as day, month and year."))


class ImportOneForm(ActionForm):
    """"Import by Amazon order number"; the service judges the number."""

    amazon_order_id = StringField(filters=[_strip])


# --- shipments --------------------------------------------------------------------------

class ShipmentForm(ActionForm):
    """"Kargo bildir": carrier, tracking number, ship date and one ``qty_<orderItemId>`` per Amazon line.

    Build it with :func:`shipment_form`, which adds the line fields.
    """

    carrier = StringField(_l("Carrier"), filters=[_strip])
    carrier_other = StringField(_l("Other carrier's name"), filters=[_strip])
    tracking_number = StringField(_l("Tracking number"), filters=[_strip], validators=[
        InputRequired(message=_l("Enter the tracking number.")), Length(max=TEXT_MAX, message=TOO_LONG)])
    ship_date = DayField(_l("Ship date"), validators=[Optional()], message=_l("Give the ship date as a date."))
    #: Shown only when the buyer asked Amazon to cancel the order.
    ship_despite_cancel = BooleanField(_l("The parcel has already left: report it despite the buyer's "
                                          "cancellation request"))

    item_ids: tuple[str, ...] = ()
    no_lines = False

    def carrier_name(self) -> str:
        return self.carrier_other.data if self.carrier.data == OTHER else self.carrier.data

    def validate_carrier(self, field) -> None:
        if not self.carrier_name():
            raise ValidationError(str(_l("Choose the carrier.")))
        if len(self.carrier_name()) > TEXT_MAX:
            raise ValidationError(str(TOO_LONG))

    def typed_units(self, item_id: str) -> str:
        """What was typed for a line, kept when the form comes back with an error."""
        field = self._fields.get(f"qty_{item_id}")
        return (field.data or "") if field is not None else ""

    def lines(self) -> list[dict]:
        """The lines with units: [{"order_item_id", "quantity"}]."""
        out = []
        for item_id in self.item_ids:
            raw = self[f"qty_{item_id}"].data
            if raw and _is_units(raw) and int(raw):
                out.append({"order_item_id": item_id, "quantity": int(raw)})
        return out

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        typed_wrong = any(self[f"qty_{item_id}"].errors for item_id in self.item_ids)
        self.no_lines = not typed_wrong and not self.lines()
        return valid and not self.no_lines

    def error_map(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, message in super().error_map().items():
            out.setdefault("lines" if name.startswith("qty_") else name, message)
        if self.no_lines:
            out["lines"] = str(_l("Give the units of at least one line."))
        return out


def _is_units(raw: str) -> bool:
    # ASCII only: "²" and "٣" are digits to str.isdigit (and "²" breaks int()); no line has a million units
    return raw.isascii() and raw.isdigit() and len(raw) <= 6


def _whole_units(form, field) -> None:
    if field.data and not _is_units(field.data):
        raise ValidationError(str(_l("Give a whole number of units for each line.")))


def shipment_form(item_ids: Iterable[str]) -> ShipmentForm:
    """The "Kargo bildir" form for an order whose Amazon lines are ``item_ids``."""
    ids = tuple(item_ids)

    class OrderShipmentForm(ShipmentForm):
        item_ids = ids

    for item_id in ids:
        setattr(OrderShipmentForm, f"qty_{item_id}", StringField(filters=[_strip], validators=[_whole_units]))
    return OrderShipmentForm()


class CarrierMapForm(ActionForm):
    """The store's carrier list: ``code_<key>`` and ``name_<key>`` for every carrier; empty means the default."""

    @classmethod
    def of(cls, carriers: list[dict]) -> "CarrierMapForm":
        data = {}
        for entry in carriers:
            data[f"code_{entry['key']}"] = entry["code"]
            data[f"name_{entry['key']}"] = entry["name"]
        return cls(data=data)

    def values(self) -> dict[str, dict]:
        return {key: {"code": self[f"code_{key}"].data or "", "name": self[f"name_{key}"].data or ""}
                for key, _label, _code in CARRIERS}

    def error_map(self) -> dict[str, str]:
        """Per carrier key, as the carrier rows show them."""
        out: dict[str, str] = {}
        for name, message in super().error_map().items():
            out.setdefault(name.split("_", 1)[1], message)
        return out


for _key, _label, _code in CARRIERS:
    setattr(CarrierMapForm, f"code_{_key}", StringField(filters=[_strip], validators=[
        Length(max=TEXT_MAX, message=TOO_LONG)]))
    setattr(CarrierMapForm, f"name_{_key}", StringField(filters=[_strip], validators=[
        Length(max=TEXT_MAX, message=TOO_LONG)]))
del _key, _label, _code
