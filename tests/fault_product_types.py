"""The fault matrix's row for searchDefinitionsProductTypes: Amazon's product types on the products page.

The settings' product type is chosen from Amazon's list for Türkiye (issue 17 §3), read when the page is
rendered and kept for a day. The page waits for Amazon a few seconds at most (two retries): when the list
cannot be read the page still renders, says so in Turkish and takes the code typed; a failure is remembered
for five minutes so the page does not wait again on every render; the next render after that reads it.
A revoked grant marks the store (nothing is sent for it) and the page says the list could not be read.
"""
from __future__ import annotations

from fault_matrix import Flow, Result, check, turkish

UNREAD = ("Amazon's list of product types could not be read now (the store must be active and authorized). "
          "Type the product type's code as Amazon names it, e.g. HOME.")


class ProductTypesFlow(Flow):
    def setup(self):
        self.make_app()
        self.add_store(product_update=True, auto_update_type="all")

    def _page(self) -> str:
        client = self.app.test_client()
        with client.session_transaction() as sess:
            sess["demo_admin"] = True
        resp = client.get(f"/admin/amazon/stores/{self.store_id}/products")
        check(resp.status_code == 200, f"the products page answered {resp.status_code}")
        return resp.get_data(as_text=True)

    def faulted(self, row, kind):
        page = self._page()
        if '<select id="atr-default-type"' in page:
            return Result("retried")
        unread = turkish(UNREAD)
        check(unread.split("(")[0].replace("'", "&#39;") in page, "no Turkish word that the list is not read")
        check('<input id="atr-default-type"' in page, "without the list the product type cannot be typed")
        asked = self.sb.count("searchDefinitionsProductTypes")
        self._page()
        check(self.sb.count("searchDefinitionsProductTypes") == asked, "a failed read is asked again at once")
        return Result("stopped", unread)

    def recover(self):
        self.page = self._page()

    def verify(self):
        check('<select id="atr-default-type"' in self.page, "the next render did not read Amazon's list")
        check(">Ev (HOME)</option>" in self.page, "Amazon's product types without their Turkish names")
