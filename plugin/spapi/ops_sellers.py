"""Sellers v1."""
from __future__ import annotations

from .operations import Operations


class Sellers(Operations):
    def marketplace_participations(self) -> list[dict]:
        """The marketplaces this seller takes part in; the "API test" call."""
        data = self._request("GET", "/sellers/v1/marketplaceParticipations", operation="getMarketplaceParticipations")
        return list(data.get("payload") or [])
