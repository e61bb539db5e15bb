"""Sellers v1: the participations the plugin's "API'yi test et" button reads.

A seller may be registered in a marketplace without taking part in it: sellers-v1.json,
Participation.isParticipating, "If `true`, the seller participates in the marketplace.
Otherwise `false`." (an account that is suspended or not yet active there).
"""
from __future__ import annotations

from .dispatch import Call, operation
from .seed import MARKETPLACES
from .state import SandboxState


@operation("getMarketplaceParticipations")
def get_marketplace_participations(call: Call):
    seller = call.state.sellers[call.seller_id]
    absent = seller.get("not_participating", ())
    payload = [
        {"marketplace": dict(MARKETPLACES[mid]),
         "participation": {"isParticipating": mid not in absent, "hasSuspendedListings": False},
         "storeName": seller["name"]}
        for mid in seller["marketplaces"] if mid in MARKETPLACES
    ]
    return 200, {"payload": payload}


def set_participation(state: SandboxState, seller_id: str, marketplace_id: str, participating: bool) -> None:
    """The seller stops (or starts again) taking part in a marketplace it is registered in."""
    with state.lock:
        seller = state.sellers[seller_id]
        absent = set(seller.get("not_participating", ()))
        (absent.discard if participating else absent.add)(marketplace_id)
        seller["not_participating"] = frozenset(absent)


def seller_roles(state: SandboxState, seller_id: str) -> frozenset[str]:
    """The roles the application holds for this seller (dispatch.OPERATION_ROLES, orders_gating.py)."""
    with state.lock:
        return frozenset(state.sellers.get(seller_id, {}).get("roles", ()))


def set_roles(state: SandboxState, seller_id: str, roles) -> None:
    """Give the application exactly these roles for the seller, as re-authorizing after a role change would."""
    with state.lock:
        state.sellers[seller_id]["roles"] = frozenset(roles)
