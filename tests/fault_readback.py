"""The fault matrix's row for getListingsItem: reading back Amazon's own status of accepted listings.

ACCEPTED is only "accepted for processing" (plugin/services/listings/status.py): the feed
poll, the scheduler's 2-minute job (``poll_feeds``), reads each accepted SKU back with
getListingsItem once Amazon has processed it, and the products page says "yayında" only
when Amazon's summary says BUYABLE. The cell pushes four SKUs, lets Amazon process them
(one of them with an ERROR issue Amazon raises while processing: not buyable), fails the
read-back, and checks that a failed read leaves a link "işliyor" and due — never "hata",
never "yayında" — and that the next poll gives every link Amazon's real status.

A revoked grant stops the read-back: the store is marked revoked (every sync of it stops)
and the products page says in Turkish that the store is not authorized; the links stay
due, and after Yetkilendir the next poll reads them.
"""
from __future__ import annotations

import html

import requests
from sqlalchemy import select

from fault_matrix import SKUS, ProductsFlow, Result, check, turkish, verify_listings

#: Simulated seconds Amazon takes to process an accepted submission: shorter than the first
#: read-back's wait (status.READ_BACK_AFTER), so the read-back under the fault finds it processed.
PROCESSING = 30
#: Amazon's processing raises an ERROR issue on this SKU: DISCOVERABLE, not BUYABLE ("satışta değil").
NOT_BUYABLE = "DEMO-0002"
UNAUTHORIZED = "The store is not authorized with Amazon: nothing is sent."


class ReadBackFlow(ProductsFlow):
    def setup(self):
        from flask_amazon_tr.sandbox import listings_rules
        from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
        from flask_amazon_tr.services.listings import status

        super().setup()
        answer = requests.post(f"{self.sandbox.url}/_sandbox/listing-processing", json={"seconds": PROCESSING},
                               timeout=10)
        check(answer.ok, f"the sandbox refused the processing delay: {answer.text}")
        listings_rules.arm_issue(self.sb, listings_rules.make_issue("invalid_attribute"), seller_id=TR_SELLER_ID,
                                 sku=NOT_BUYABLE, after=0)
        pushed = self._push()
        check(pushed == ("done", None), f"the push before the read-back failed: {pushed}")
        links = self._links()
        check(sorted(links) == sorted(SKUS) and all(link.status_due_at is not None for link in links.values()),
              "the accepted SKUs are not waiting for their read-back")
        check({status.shown_state(link) for link in links.values()} == {"processing"},
              "an accepted SKU is shown as anything but processing")
        # Amazon processes them; the read-back falls due
        self.clock.advance(status.READ_BACK_AFTER.total_seconds() + 1)
        self.sb.clear_requests()

    def _read_back(self):
        """One feed-poll tick of the store, as the scheduler runs it (it logs what is raised)."""
        from flask_amazon_tr.services.listings import poll_feeds
        from flask_amazon_tr.spapi import SPAPIError

        with self.app.app_context():
            try:
                poll_feeds(self.store_id)
            except SPAPIError as exc:
                return exc
        return None

    def _amazon(self) -> dict[str, tuple[set[str], list[str]]]:
        """Each SKU's status and issue codes as getListingsItem shows them now."""
        from flask_amazon_tr.sandbox.listings_view import item_view, visible
        from flask_amazon_tr.sandbox.seed import TR_MARKETPLACE_ID, TR_SELLER_ID

        found = {}
        with self.sb.lock:
            for sku in SKUS:
                listing = visible(self.sb, self.sb.listings.get(TR_SELLER_ID, {}).get(sku))
                check(listing is not None, f"{sku}: Amazon has not processed it")
                item = item_view(self.sb, listing, TR_MARKETPLACE_ID, ["summaries", "issues"])
                found[sku] = (set(item["summaries"][0]["status"]), sorted(i["code"] for i in item["issues"]))
        return found

    def _page(self, query: str = "") -> str:
        client = self.app.test_client()
        with client.session_transaction() as sess:
            sess["demo_admin"] = True
        answer = client.get(f"/admin/amazon/stores/{self.store_id}/products{query}")
        check(answer.status_code == 200, f"the products page answered {answer.status_code}")
        return html.unescape(answer.get_data(as_text=True))

    def _row(self, sku: str) -> str:
        page = self._page(f"?q={sku}")
        start = page.index('<tr id="amazon-tr-link-')
        return page[start:page.index("</tr>", start)]

    def faulted(self, row, kind):
        from flask_amazon_tr.models import Store
        from flask_amazon_tr.services.listings import status
        from flask_amazon_tr.spapi import AuthorizationRevokedError
        from demo import db

        error = self._read_back()
        amazon = self._amazon()
        unread = []
        for sku, link in self._links().items():
            shown = status.shown_state(link)
            check(link.state == "live", f"{sku}: the read-back under the fault left the link {link.state}")
            if link.amazon_status is None:
                # not read: still "işliyor" and due for the next poll
                check(shown == "processing" and link.status_due_at is not None,
                      f"{sku}: an unread link is {shown}, due {link.status_due_at}")
                unread.append(sku)
            else:
                check((link.amazon_statuses, sorted(i.get("code") for i in link.issues)) == amazon[sku],
                      f"{sku}: read {link.amazon_status} {link.issues}, Amazon shows {amazon[sku]}")
        if error is None and not unread:
            return Result("retried")
        check(kind == "revoke" and isinstance(error, AuthorizationRevokedError),
              f"the read-back stopped under {kind}: {error!r}; unread {unread}")
        with self.app.app_context():
            check(db.session.get(Store, self.store_id).authorization_revoked_at is not None,
                  "the store was not marked revoked")
        message = turkish(UNAUTHORIZED)
        check(message in self._page(), "the products page does not say the store is not authorized")
        return Result("stopped", message)

    def recover(self):
        error = self._read_back()
        check(error is None, f"the next read-back failed: {error!r}")

    def verify(self):
        from flask_amazon_tr.services.listings import status

        links = self._links()
        verify_listings(self.app, self.sb, links)  # every SKU linked, Amazon's price and stock the shop's
        amazon = self._amazon()
        check(amazon[NOT_BUYABLE][0] == {"DISCOVERABLE"} and all(
            "BUYABLE" in amazon[sku][0] for sku in SKUS if sku != NOT_BUYABLE), f"Amazon shows {amazon}")
        live = turkish("live")
        for sku in SKUS:
            link = links[sku]
            check(link.status_due_at is None and link.amazon_status is not None, f"{sku}: never read back")
            check((link.amazon_statuses, sorted(i.get("code") for i in link.issues)) == amazon[sku],
                  f"{sku}: read {link.amazon_status} {link.issues}, Amazon shows {amazon[sku]}")
            buyable = "BUYABLE" in amazon[sku][0]
            check(status.shown_state(link) == ("live" if buyable else "not_buyable"),
                  f"{sku}: shown {status.shown_state(link)}")
            check((live in self._row(sku)) == buyable, f"{sku}: the page's row and Amazon's {amazon[sku][0]} differ")
        from demo import db
        from flask_amazon_tr.models import ListingLink

        with self.app.app_context():
            count = len(db.session.scalars(select(ListingLink).where(ListingLink.store_id == self.store_id)).all())
        check(count == len(SKUS), f"{count} links for {len(SKUS)} SKUs")
