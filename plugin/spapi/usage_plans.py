"""Amazon's usage plans: how fast each SP-API operation may be called.

The client paces its calls by these figures and the local sandbox throttles by
them; tests/test_spapi_models.py reads Amazon's models with
:func:`parse_usage_plan` and fails if any value here drifts from them.
"""
from __future__ import annotations

import re

#: operationId -> (requests per second, burst), from the "Usage Plan" table in
#: each operation's description in Amazon's models: the operations the client
#: calls, and deleteListingsItem, which only the sandbox serves.
USAGE_PLANS: dict[str, tuple[float, int]] = {
    # Sellers v1
    "getMarketplaceParticipations": (0.016, 15),
    # Orders 2026-01-01
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    # Orders v0: only confirmShipment, the one v0 operation not deprecated
    "confirmShipment": (2.0, 10),
    # Listings Items 2021-08-01
    "searchListingsItems": (5.0, 5),
    "getListingsItem": (5.0, 10),
    "putListingsItem": (5.0, 10),
    "patchListingsItem": (5.0, 5),
    "deleteListingsItem": (5.0, 5),
    # Feeds 2021-06-30
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "cancelFeed": (2.0, 15),
    "getFeeds": (0.0222, 10),
    "getFeedDocument": (0.0222, 10),
    # Catalog Items 2022-04-01
    "searchCatalogItems": (2.0, 2),
    # Product Type Definitions 2020-09-01 (the "Default" plan row)
    "getDefinitionsProductType": (5.0, 10),
    "searchDefinitionsProductTypes": (5.0, 10),
}

#: For an operation missing from the table: cautious, but never a deadlock.
DEFAULT_PLAN: tuple[float, int] = (1.0, 1)

_HEADING = re.compile(r"usage plans?\b", re.IGNORECASE)
# The first row with two numbers: "| 0.0056 | 20 |", or "|Default| 5 | 10 |" in
# the tables that also list a "Selling partner specific" plan of "Variable"s.
_ROW = re.compile(r"\|\s*(\d+(?:\.\d+)?)\s*\|\s*(\d+)\s*\|")


def parse_usage_plan(description: str | None) -> tuple[float, int] | None:
    """The default (rate, burst) of an operation's "Usage Plan" markdown table, if it has one."""
    heading = _HEADING.search(description or "")
    if not heading:
        return None
    row = _ROW.search(description, heading.end())
    if not row:
        return None
    return float(row.group(1)), int(row.group(2))
