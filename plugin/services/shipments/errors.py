"""Why a shipment is not recorded."""
from __future__ import annotations


class ShipmentRefused(ValueError):
    """The shipment cannot be confirmed as given; ``errors`` maps a field to a Turkish message."""

    def __init__(self, errors: dict) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
