"""One SKU to send: a new link (put) or changed parts of an existing one (patch)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ...models import ListingLink
from . import values


@dataclass
class Work:
    link: ListingLink
    product: object
    op: str  # "put" or "patch"
    parts: tuple[str, ...]
    digests: dict[str, str]
    attempt: str
    product_type: str
    requirements: str | None = None
    attributes: dict | None = None
    patches: list[dict] | None = None
    rules: values.Rules = field(default_factory=values.Rules)
    in_flight: bool = False  # other parts of the SKU are in a feed Amazon is processing

    def pending(self, message_id: int | None = None) -> dict:
        """What was sent, kept until Amazon answers: the outcome is checked against it."""
        return {"m": message_id, "op": self.op, "requirements": self.requirements, "parts": list(self.parts),
                "digests": {p: self.digests[p] for p in self.parts}, "attempt": self.attempt,
                "price": str(values.apply_price_rule(self.product.price, self.rules)) if values.PRICE in self.parts
                else None,
                "quantity": values.apply_stock_rule(self.product.stock, self.rules) if values.STOCK in self.parts
                else None,
                "title": (self.product.title or "")[:300] if values.CONTENT in self.parts else None}
