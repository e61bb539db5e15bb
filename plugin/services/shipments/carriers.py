"""Carriers: what the shop calls a carrier, and the code (and name) Amazon gets for it.

Amazon checks ``carrierCode`` against its own carrier list and takes ``Other``
(with ``carrierName``) only for carriers that are not on it: "The CarrierCode
value must match the options listed in Seller Central exactly ... Only if the
selling partner is using an unlisted carrier, can they use the CarrierCode
value of 'Other' and then provide the carrier name in the CarrierName field"
(amzn/selling-partner-api-docs issue 772; orders-v0.json PackageDetail).
"""
from __future__ import annotations

from ...errors import InvalidSettings
from ...i18n import lazy_gettext as _l
from ...models.shipments import ShipmentSettings
from .. import runs, session
from .errors import ShipmentRefused

#: Amazon's carrier codes for Amazon.com.tr, spelled exactly as Amazon lists them
#: (Seller Central's carrier list for Türkiye, as given in issue 14 of this project).
#: They are sent as ``carrierCode`` unchanged: "Sürat Kargo" keeps its ü.
AMAZON_CARRIERS: tuple[str, ...] = (
    "Yurtiçi Kargo", "Aras Kargo", "MNG Kargo", "PTT Kargo", "Sürat Kargo", "Horoz Lojistik", "Ceva Lojistik",
    "Geopost Kargo", "DHL Kargo", "UPS", "DHL", "FedEx",
)
#: The code for a carrier Amazon does not list; its name goes in carrierName.
OTHER_CODE = "Other"

#: The carriers a Turkish shop names: (key, label, Amazon code by default). Carriers on
#: Amazon's list go with their code; the others (HepsiJet, Kolay Gelsin, …) as Other.
CARRIERS: tuple[tuple[str, str, str], ...] = tuple(
    [(key, code, code) for key, code in (
        ("yurtici", "Yurtiçi Kargo"), ("aras", "Aras Kargo"), ("mng", "MNG Kargo"), ("ptt", "PTT Kargo"),
        ("surat", "Sürat Kargo"), ("horoz", "Horoz Lojistik"), ("ceva", "Ceva Lojistik"),
        ("geopost", "Geopost Kargo"), ("dhlkargo", "DHL Kargo"), ("ups", "UPS"), ("dhl", "DHL"),
        ("fedex", "FedEx"))]
    + [(key, label, OTHER_CODE) for key, label in (
        ("hepsijet", "HepsiJet"), ("kolaygelsin", "Kolay Gelsin"), ("trendyolexpress", "Trendyol Express"),
        ("sendeo", "Sendeo"))]
)
#: Other names shops use for a listed carrier (normalized as carrier_key does).
ALIASES = {"dhlecommerce": "dhlkargo", "dpd": "geopost", "trendyol": "trendyolexpress"}
#: The "Kargo bildir" form's choice for a carrier not in the list.
OTHER = "other"
#: Longest carrier code or name kept.
TEXT_MAX = 100
_ASCII = str.maketrans("çğıöşüÇĞİÖŞÜâîû", "cgiosuCGIOSUaiu")
_SUFFIXES = ("kargo", "cargo", "lojistik", "logistics")


def _plain(text: str) -> str:
    # No Turkish case folding needed: the letters are made ASCII first.
    return "".join(c for c in (text or "").translate(_ASCII).lower() if c.isalnum())


def carrier_key(text: str) -> str:
    """'Yurtiçi Kargo', 'YURTICI', 'yurtici-kargo' -> 'yurtici'."""
    plain = _plain(text)
    for suffix in _SUFFIXES:
        if plain.endswith(suffix) and plain != suffix:
            return plain[: -len(suffix)]
    return plain


def known_key(text: str) -> str | None:
    """The key of the carrier the shop means by ``text``, or None for a carrier we do not list.

    The whole name is tried before the name without "Kargo": "DHL Kargo" is not "DHL".
    """
    whole, short = _plain(text), carrier_key(text)
    for key, label, _code in CARRIERS:
        if whole in (key, _plain(label)):
            return key
    for candidate in (whole, short):
        if candidate in ALIASES:
            return ALIASES[candidate]
    for key, label, _code in CARRIERS:
        if short in (key, carrier_key(label)):
            return key
    return None


def amazon_code_for(name: str) -> str | None:
    """Amazon's code when ``name`` is a carrier on Amazon's list, else None."""
    key = known_key(name)
    default = next((code for k, _label, code in CARRIERS if k == key), None)
    return default if default in AMAZON_CARRIERS else None


def get_settings(store_id: int) -> ShipmentSettings | None:
    return session().get(ShipmentSettings, store_id)


def _valid_code(code: str | None) -> bool:
    return code in AMAZON_CARRIERS or code == OTHER_CODE


def carrier_map(store_id: int) -> list[dict]:
    """The store's carriers: key, label, Amazon code and the name sent with Other.

    A choice saved by an older version as free text that Amazon does not list is
    not used: the carrier goes with its default until the admin chooses again.
    """
    settings = get_settings(store_id)
    overrides = settings.carriers if settings else {}
    out = []
    for key, label, code in CARRIERS:
        own = overrides.get(key) or {}
        chosen = own.get("code") if _valid_code(own.get("code")) else code
        out.append({"key": key, "label": label, "code": chosen, "name": own.get("name") or label,
                    "default_code": code})
    return out


def save_carrier_map(store_id: int, values: dict[str, dict]) -> None:
    """``values``: key -> {"code", "name"}; only differences from the defaults are kept.

    Raises InvalidSettings (per carrier key) for a code Amazon does not list, Other
    without a name or with the name of a carrier Amazon lists, or a name too long.
    """
    errors = {}
    kept = {}
    for key, label, code in CARRIERS:
        given = values.get(key) or {}
        new_code = (given.get("code") or "").strip() or code
        new_name = (given.get("name") or "").strip() or label
        if len(new_name) > TEXT_MAX:
            errors[key] = _l("Use at most 100 characters.")
            continue
        if not _valid_code(new_code):
            errors[key] = _l("Choose a carrier from Amazon's list, or Other with the carrier's name.")
            continue
        if new_code == OTHER_CODE and amazon_code_for(new_name):
            errors[key] = _l("“%(name)s” is on Amazon's carrier list: choose it from the list instead of Other.",
                             name=new_name)
            continue
        entry = {}
        if new_code != code:
            entry["code"] = new_code
        if new_name != label:
            entry["name"] = new_name
        if entry:
            kept[key] = entry
    if errors:
        raise InvalidSettings(errors)
    settings = get_settings(store_id)
    if settings is None:
        settings = ShipmentSettings(store_id=store_id)
        session().add(settings)
    settings.carriers = kept
    settings.updated_at = runs.now()
    session().commit()


def resolve_carrier(store_id: int, carrier: str) -> tuple[str, str, str | None]:
    """(label, carrierCode, carrierName or None) for what the shop called the carrier."""
    text = (carrier or "").strip()
    if not text:
        raise ShipmentRefused({"carrier": _l("Choose the carrier.")})
    key = known_key(text)
    if key is not None:
        entry = next(e for e in carrier_map(store_id) if e["key"] == key)
        code = entry["code"]
        return entry["label"], code, (entry["name"] if code == OTHER_CODE else None)
    if len(text) > TEXT_MAX:
        raise ShipmentRefused({"carrier": _l("Use at most 100 characters.")})
    # A carrier Amazon does not list and we have no row for: Amazon takes it as Other with its name.
    return text, OTHER_CODE, text
