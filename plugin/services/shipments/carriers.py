"""Carriers: what the shop calls a carrier, and the code (and name) Amazon gets for it."""
from __future__ import annotations

from ...i18n import lazy_gettext as _l
from ...models.shipments import ShipmentSettings
from .. import runs, session
from ...errors import InvalidSettings
from .errors import ShipmentRefused

#: (key, label, Amazon carrierCode). Amazon's Orders v0 model lists no carrier
#: codes; the global ones it documents by example are used as codes, Turkish
#: carriers go as "Other" with their name unless the admin sets a code.
CARRIERS: tuple[tuple[str, str, str], ...] = (
    ("yurtici", "Yurtiçi Kargo", "Other"),
    ("aras", "Aras Kargo", "Other"),
    ("mng", "MNG Kargo", "Other"),
    ("ptt", "PTT Kargo", "Other"),
    ("surat", "Sürat Kargo", "Other"),
    ("hepsijet", "HepsiJet", "Other"),
    ("kolaygelsin", "Kolay Gelsin", "Other"),
    ("ups", "UPS", "UPS"),
    ("dhl", "DHL", "DHL"),
    ("fedex", "FedEx", "FedEx"),
)
#: The "Kargo bildir" form's choice for a carrier not in the list.
OTHER = "other"
#: Longest carrier code or name kept.
TEXT_MAX = 100
_ASCII = str.maketrans("çğıöşüÇĞİÖŞÜâîû", "cgiosuCGIOSUaiu")


def carrier_key(text: str) -> str:
    """'Yurtiçi Kargo', 'YURTICI', 'yurtici-kargo' -> 'yurtici' (no Turkish case folding needed)."""
    plain = "".join(c for c in (text or "").translate(_ASCII).lower() if c.isalnum())
    for suffix in ("kargo", "cargo"):
        if plain.endswith(suffix) and plain != suffix:
            plain = plain[: -len(suffix)]
    return plain


def get_settings(store_id: int) -> ShipmentSettings | None:
    return session().get(ShipmentSettings, store_id)


def carrier_map(store_id: int) -> list[dict]:
    """The store's carriers: key, label, code and the name sent with "Other"."""
    settings = get_settings(store_id)
    overrides = settings.carriers if settings else {}
    out = []
    for key, label, code in CARRIERS:
        own = overrides.get(key) or {}
        out.append({"key": key, "label": label, "code": own.get("code") or code,
                    "name": own.get("name") or label, "default_code": code})
    return out


def save_carrier_map(store_id: int, values: dict[str, dict]) -> None:
    """``values``: key -> {"code", "name"}; only differences from the defaults are kept.

    Raises InvalidSettings (per carrier key) for a code or name that is too long.
    """
    errors = {}
    kept = {}
    for key, label, code in CARRIERS:
        given = values.get(key) or {}
        new_code = (given.get("code") or "").strip() or code
        new_name = (given.get("name") or "").strip() or label
        if len(new_code) > TEXT_MAX or len(new_name) > TEXT_MAX:
            errors[key] = _l("Use at most 100 characters.")
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
    key = carrier_key(text)
    for entry in carrier_map(store_id):
        if key in (entry["key"], carrier_key(entry["label"])):
            code = entry["code"]
            return entry["label"], code, (entry["name"] if code == "Other" else None)
    if len(text) > TEXT_MAX:
        raise ShipmentRefused({"carrier": _l("Use at most 100 characters.")})
    # A carrier we have no row for: Amazon takes it as "Other" with its name.
    return text, "Other", text
