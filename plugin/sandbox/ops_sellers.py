"""Sellers v1: the participations the plugin's "API'yi test et" button reads."""
from __future__ import annotations

from .dispatch import Call, operation
from .seed import MARKETPLACES


@operation("getMarketplaceParticipations")
def get_marketplace_participations(call: Call):
    seller = call.state.sellers[call.seller_id]
    payload = [
        {"marketplace": dict(MARKETPLACES[mid]),
         "participation": {"isParticipating": True, "hasSuspendedListings": False},
         "storeName": seller["name"]}
        for mid in seller["marketplaces"] if mid in MARKETPLACES
    ]
    return 200, {"payload": payload}
