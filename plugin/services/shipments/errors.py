"""Why a shipment is not recorded."""
from __future__ import annotations

from ...errors import FieldErrors


class ShipmentRefused(FieldErrors):
    """The shipment cannot be confirmed as given; ``errors`` maps a field to a Turkish message."""
