"""Seed data for the local Amazon: sellers, a Turkish catalog and orders.

Everything is generated from a fixed random seed so two sandboxes started
with the same clock hold the same data; times are relative to the clock so
"the last 30 days" stays true in simulated time too.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable

from . import seed_tr

if TYPE_CHECKING:  # pragma: no cover
    from .state import SandboxState

SANDBOX_APP_ID = "amzn1.sp.solution.sandbox-tr-0001"
SANDBOX_CLIENT_ID = "amzn1.application-oa2-client.sandboxtr0001"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret-tr"

TR_SELLER_ID = "A1TRDEMOSATICI"
NON_TR_SELLER_ID = "A2DEONLYSELLER"
NO_LISTINGS_ROLE_SELLER_ID = "A3TRNOLISTINGS"
#: An application approved for no restricted role: orders come without the buyer's
#: name, the delivery address or tax registrations (amzn/selling-partner-api-models#5300).
NO_PII_ROLE_SELLER_ID = "A4TRNOPIIROLES"
#: An application without any role that allows the Orders API: 403 on searchOrders and getOrder.
NO_ORDERS_ROLE_SELLER_ID = "A5TRNOORDERSROLE"

TR_MARKETPLACE_ID = "A33AVAJ2PDY3EV"
DE_MARKETPLACE_ID = "A1PN6A0ZF4ZA2Z"

MARKETPLACES = {
    TR_MARKETPLACE_ID: {
        "id": TR_MARKETPLACE_ID, "name": "Amazon.com.tr", "countryCode": "TR",
        "defaultCurrencyCode": "TRY", "defaultLanguageCode": "tr_TR",
        "domainName": "www.amazon.com.tr",
    },
    DE_MARKETPLACE_ID: {
        "id": DE_MARKETPLACE_ID, "name": "Amazon.de", "countryCode": "DE",
        "defaultCurrencyCode": "EUR", "defaultLanguageCode": "de_DE",
        "domainName": "www.amazon.de",
    },
}

# Roles matter for what a token may call; a seller without the listings role
# shows the plugin what a missing role looks like (403 on listings and feeds).
# The restricted roles decide which personal data an order shows (orders_gating.py):
# Direct-to-Consumer Shipping (the delivery address), Tax Invoicing and Tax
# Remittance (the buyer's name and tax registrations).
RESTRICTED_ROLES = frozenset({"directToConsumerShipping", "taxInvoicing", "taxRemittance"})
ALL_ROLES = frozenset({"sellers", "orders", "listings", "feeds", "catalog", "productTypes"}) | RESTRICTED_ROLES

SELLERS = {
    TR_SELLER_ID: {"name": "Anadolu Çarşı", "marketplaces": [TR_MARKETPLACE_ID],
                   "roles": ALL_ROLES},
    NON_TR_SELLER_ID: {"name": "Rheinland Handel GmbH", "marketplaces": [DE_MARKETPLACE_ID],
                       "roles": ALL_ROLES},
    NO_LISTINGS_ROLE_SELLER_ID: {"name": "Boğaziçi Ticaret", "marketplaces": [TR_MARKETPLACE_ID],
                                 "roles": ALL_ROLES - {"listings", "feeds"}},
    NO_PII_ROLE_SELLER_ID: {"name": "Ege Pazaryeri", "marketplaces": [TR_MARKETPLACE_ID],
                            "roles": ALL_ROLES - RESTRICTED_ROLES},
    NO_ORDERS_ROLE_SELLER_ID: {"name": "Trakya Kitabevi", "marketplaces": [TR_MARKETPLACE_ID],
                               "roles": ALL_ROLES - RESTRICTED_ROLES - {"orders"}},
}

# Attributes whose content belongs to the catalog page, not to one offer.
CONTENT_ATTRIBUTES = frozenset({
    "item_name", "brand", "bullet_point", "product_description", "manufacturer",
    "main_product_image_locator", "other_product_image_locator_1", "model_name",
    "color", "size", "material", "item_type_keyword", "generic_keyword",
})

FULFILLMENT_STATUSES = ["PENDING_AVAILABILITY", "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED",
                        "SHIPPED", "CANCELLED", "UNFULFILLABLE"]

_PRODUCTS = [
    # (title, brand, product type, price in TRY)
    ("Bakır Cezve, El Dövmesi, 300 ml", "Gaziantep Bakırcılık", "HOME", "449.90"),
    ("Türk Kahvesi 250 g, Orta Kavrulmuş", "Kahveci Ağa", "GROCERY", "129.50"),
    ("İznik Desenli Seramik Kupa", "Çini Atölyesi", "HOME", "219.00"),
    ("Pamuklu Peştemal, Lacivert Çizgili", "Denizli Dokuma", "HOME", "189.99"),
    ("Zeytinyağlı Doğal Sabun, 4'lü", "Ayvalık Sabunhanesi", "BEAUTY", "99.90"),
    ("Çay Bardağı Takımı, 6 Kişilik", "Paşabahçe", "KITCHEN", "164.75"),
    ("Çaydanlık, Paslanmaz Çelik, 2 Litre", "Korkmaz", "KITCHEN", "899.00"),
    ("Lokum Çeşitleri, Güllü ve Fıstıklı, 500 g", "Hacı Şakir", "GROCERY", "249.00"),
    ("Kilim Desenli Yastık Kılıfı", "Uşak Halıcılık", "HOME", "159.90"),
    ("Ahşap Tavla, Sedef Kakmalı", "Ustalar Çarşısı", "TOY", "1299.00"),
    ("Nazar Boncuklu Anahtarlık", "Cam Ocağı", "HOME", "39.90"),
    ("Organik Fındık Ezmesi, 320 g", "Giresun Bahçe", "GROCERY", "174.40"),
    ("Bakır Tepsi, Kabartmalı, 40 cm", "Gaziantep Bakırcılık", "HOME", "689.00"),
    ("Lavanta Kolonyası, 400 ml", "Eyüp Sabri Tuncer", "BEAUTY", "119.90"),
    ("Çini Kase, Lale Motifli", "Çini Atölyesi", "HOME", "299.00"),
    ("Yün Patik, El Örgüsü", "Erzurum El Sanatları", "SHOES", "229.90"),
    ("Deri Sandalet, Kadın, Taba", "Bodrum Sandaletçisi", "SHOES", "1149.50"),
    ("Keten Masa Örtüsü, 150x220 cm", "Buldan Keten", "HOME", "539.00"),
    ("Antep Fıstığı, Kavrulmuş, 1 kg", "Gaziantep Bahçe", "GROCERY", "899.90"),
    ("Sumak, Doğal, 250 g", "Mardin Baharat", "GROCERY", "79.25"),
    ("Ahşap Kaşık Seti, 5 Parça", "Ustalar Çarşısı", "KITCHEN", "139.00"),
    ("Telkari Gümüş Küpe", "Midyat Telkari", "JEWELRY", "1890.00"),
    ("Mozaik Masa Lambası", "Kapalıçarşı Aydınlatma", "HOME", "749.00"),
    ("Pirinç Cezve Ocağı, Kumda Kahve", "Kahveci Ağa", "KITCHEN", "2499.00"),
    ("Nar Ekşisi, 500 ml", "Hatay Bahçe", "GROCERY", "94.60"),
    ("Bornoz, Pamuklu, Unisex", "Denizli Dokuma", "HOME", "679.99"),
    ("Ebru Sanatı Tablo, Çerçeveli", "Üsküdar Ebru Evi", "HOME", "1350.00"),
    ("Çocuk Masal Kitabı, Nasreddin Hoca", "Kırmızı Kedi", "BOOKS", "64.00"),
    ("Oltu Taşı Tesbih", "Erzurum El Sanatları", "JEWELRY", "459.00"),
    ("Kahve Fincan Takımı, 2 Kişilik", "Paşabahçe", "KITCHEN", "329.90"),
    ("Gül Suyu, Isparta, 250 ml", "Isparta Gül", "BEAUTY", "59.90"),
    ("Halı Desenli Paspas, 60x90 cm", "Uşak Halıcılık", "HOME", "284.00"),
    ("Tereyağı, Köy Usulü, 1 kg", "Trabzon Mandıra", "GROCERY", "549.00"),
    ("Dövme Bakır Sahan, 20 cm", "Gaziantep Bakırcılık", "KITCHEN", "619.00"),
    ("Ipek Eşarp, Desenli", "Bursa İpekçilik", "APPAREL", "829.00"),
    ("Kuşhane Ahşap, Bahçe", "Ustalar Çarşısı", "HOME", "389.50"),
    ("Kurutulmuş İncir, Aydın, 500 g", "Ege Bahçe", "GROCERY", "154.90"),
    ("Saray Lokumu Kutusu, Hediyelik", "Hacı Şakir", "GROCERY", "449.00"),
    ("Bakır Su Tası", "Gaziantep Bakırcılık", "HOME", "209.00"),
    ("Ayva Reçeli, Ev Yapımı, 380 g", "Hatay Bahçe", "GROCERY", "109.99"),
]

# Catalog pages owned by a brand: Amazon keeps their content and accepts only
# the offer part of a submission for them.
CONTENT_LOCKED_INDEXES = {2, 6, 18}  # Kahveci Ağa, Paşabahçe and Buldan pages

_FIRST = ["Ayşe", "Mehmet", "Fatma", "Mustafa", "Emine", "Ahmet", "Hatice", "Ali", "Zeynep",
          "Hüseyin", "Elif", "İbrahim", "Şule", "Çağrı", "Gökhan", "Özge", "Ümit", "Büşra",
          "İlknur", "Oğuz", "Gülşen", "Ertuğrul", "Irmak", "Şevval"]
_LAST = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk",
         "Aydın", "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Koç", "Kurt",
         "Özkan", "Şimşek", "Güneş", "Ağaoğlu", "Işık"]
_PLACES = [
    # (city, district, postal code, street)
    ("İstanbul", "Kadıköy", "34710", "Moda Caddesi"),
    ("İstanbul", "Üsküdar", "34664", "Hakimiyeti Milliye Caddesi"),
    ("İstanbul", "Beşiktaş", "34353", "Çırağan Caddesi"),
    ("İstanbul", "Şişli", "34381", "Halaskargazi Caddesi"),
    ("Ankara", "Çankaya", "06690", "Tunalı Hilmi Caddesi"),
    ("Ankara", "Keçiören", "06280", "Kızlarpınarı Caddesi"),
    ("İzmir", "Karşıyaka", "35540", "Cemal Gürsel Caddesi"),
    ("İzmir", "Bornova", "35040", "Kazımdirik Mahallesi 372. Sokak"),
    ("Bursa", "Nilüfer", "16110", "Özlüce Mahallesi Göğüş Sokak"),
    ("Antalya", "Muratpaşa", "07100", "Işıklar Caddesi"),
    ("Eskişehir", "Odunpazarı", "26010", "Atatürk Bulvarı"),
    ("Gaziantep", "Şahinbey", "27010", "Gazi Muhtar Paşa Bulvarı"),
    ("Trabzon", "Ortahisar", "61030", "Uzun Sokak"),
    ("Muğla", "Bodrum", "48400", "Neyzen Tevfik Caddesi"),
    ("Diyarbakır", "Sur", "21300", "Gazi Caddesi"),
    ("Çanakkale", "Merkez", "17100", "Kordonboyu Caddesi"),
]


def _ean13(base12: str) -> str:
    digits = [int(c) for c in base12]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return base12 + str((10 - total % 10) % 10)


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_catalog_item(state: "SandboxState", *, ean: str, title: str, asin: str | None = None,
                     sku: str | None = None, brand: str = "Anadolu Çarşı",
                     product_type: str = "HOME", price: str | None = None,
                     content_locked: bool = False, rejects_conflicts: bool = False,
                     brand_owner: str | None = None) -> dict:
    """Put an item into the sandbox's Amazon catalog.

    ``sku`` is the shop's SKU the demo shop uses for it; orders and seeded
    listings refer to it, so a host can line the sandbox up with its own
    product codes. For a seller other than ``brand_owner`` (a seller id; None:
    no sandbox seller owns the brand), ``content_locked`` marks a brand-registry
    page that takes their offers but not their content, and
    ``rejects_conflicts`` a page that refuses a submission contradicting its
    title or brand with 8541 (see listings_rules.py).
    """
    if asin is None:
        # deterministic, and apart from the seeded B0TR000001... range
        asin = "B0TX" + "".join(c for c in ean if c.isalnum())[-6:].rjust(6, "0")
    item = {
        "asin": asin, "ean": ean, "title": title, "brand": brand,
        "productType": product_type, "sku": sku, "price": price,
        "contentLocked": content_locked, "rejectsConflicts": rejects_conflicts,
        "brandOwner": brand_owner,
    }
    with state.lock:
        state.catalog[asin] = item
        state._ean_index_for = -1  # catalog_by_ean rebuilds its index
    return item


def seed_catalog(state: "SandboxState") -> None:
    for i, (title, brand, ptype, price) in enumerate(_PRODUCTS, start=1):
        add_catalog_item(
            state, ean=_ean13(f"86912340{i:04d}"), asin=f"B0TR{i:06d}",
            sku=f"DEMO-{i:04d}", title=title, brand=brand, product_type=ptype,
            price=price, content_locked=(i in CONTENT_LOCKED_INDEXES))


def listing_attributes_for(item: dict, quantity: int, channel: str = "DEFAULT") -> dict:
    attrs = {
        "condition_type": [{"value": "new_new", "marketplace_id": TR_MARKETPLACE_ID}],
        "item_name": [{"value": item["title"], "language_tag": "tr_TR",
                       "marketplace_id": TR_MARKETPLACE_ID}],
        "brand": [{"value": item["brand"], "language_tag": "tr_TR",
                   "marketplace_id": TR_MARKETPLACE_ID}],
        "merchant_suggested_asin": [{"value": item["asin"], "marketplace_id": TR_MARKETPLACE_ID}],
        "externally_assigned_product_identifier": [
            {"type": "ean", "value": item["ean"], "marketplace_id": TR_MARKETPLACE_ID}],
        "fulfillment_availability": [{"fulfillment_channel_code": channel, "quantity": quantity}],
    }
    if item.get("price"):
        attrs["purchasable_offer"] = [{
            "marketplace_id": TR_MARKETPLACE_ID, "currency": "TRY",
            "our_price": [{"schedule": [{"value_with_tax": float(item["price"])}]}],
        }]
    return attrs


def seed_listings(state: "SandboxState", rng: random.Random) -> None:
    now = iso(state.clock.now() - timedelta(days=90))
    for item in sorted(state.catalog.values(), key=lambda x: x["asin"])[:20]:
        if not item.get("sku"):
            continue
        state.listings.setdefault(TR_SELLER_ID, {})[item["sku"]] = {
            "sku": item["sku"], "productType": item["productType"], "asin": item["asin"],
            "attributes": listing_attributes_for(item, rng.randint(0, 40)),
            "createdDate": now, "lastUpdatedDate": now,
        }


def _order_id(rng: random.Random) -> str:
    return f"407-{rng.randint(0, 9999999):07d}-{rng.randint(0, 9999999):07d}"


def make_order(rng: random.Random, *, now: datetime, catalog: list[dict], status: str,
               fulfilled_by: str, created: datetime, seller_id: str = TR_SELLER_ID,
               business: bool = False) -> dict:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    name = f"{first} {last}"
    city, district, postal, street = rng.choice(_PLACES)
    items = []
    total = Decimal("0")
    chosen = rng.sample(catalog, k=rng.randint(1, 4))
    for n, product in enumerate(chosen):
        qty = rng.randint(1, 3)
        unit = Decimal(product.get("price") or "100.00")
        total += unit * qty
        if status == "SHIPPED":
            shipped = qty
        elif status == "PARTIALLY_SHIPPED":
            shipped = qty if n == 0 else 0
        else:
            shipped = 0
        items.append({
            "orderItemId": f"{rng.randint(10**13, 10**14 - 1)}",
            "quantityOrdered": qty,
            "product": {
                "asin": product["asin"], "title": product["title"],
                "sellerSku": product.get("sku") or product["asin"],
                "condition": {"conditionType": "New", "conditionSubtype": "New"},
                "price": {"unitPrice": {"amount": f"{unit:.2f}", "currencyCode": "TRY"}},
            },
            "proceeds": {"proceedsTotal": {"amount": f"{unit * qty:.2f}", "currencyCode": "TRY"}},
            "fulfillment": {"quantityFulfilled": shipped, "quantityUnfulfilled": qty - shipped},
        })
    if status == "PARTIALLY_SHIPPED" and len(items) == 1:
        # one line can still be partly shipped when more than one unit was bought
        item = items[0]
        item["quantityOrdered"] = max(2, item["quantityOrdered"])
        unit = Decimal(item["product"]["price"]["unitPrice"]["amount"])
        total = unit * item["quantityOrdered"]
        item["proceeds"]["proceedsTotal"]["amount"] = f"{total:.2f}"
        item["fulfillment"] = {"quantityFulfilled": 1,
                               "quantityUnfulfilled": item["quantityOrdered"] - 1}
    updated = min(now - timedelta(minutes=5), created + timedelta(hours=rng.randint(1, 48)))
    updated = max(updated, created)
    order = {
        "orderId": _order_id(rng),
        "createdTime": iso(created),
        "lastUpdatedTime": iso(updated),
        "programs": ["PREORDER"] if status == "PENDING_AVAILABILITY" else [],
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": TR_MARKETPLACE_ID,
                         "marketplaceName": "Amazon.com.tr"},
        "buyer": {"buyerName": name,
                  "buyerEmail": f"{rng.randint(10**9, 10**10)}@marketplace.amazon.com.tr"},
        "recipient": {"deliveryAddress": {
            "name": name, "addressLine1": f"{street} No: {rng.randint(1, 180)}",
            "addressLine2": f"Daire {rng.randint(1, 24)}", "city": city,
            "districtOrCounty": district, "stateOrRegion": city, "postalCode": postal,
            "countryCode": "TR", "phone": f"+90 5{rng.randint(30, 59)} {rng.randint(100, 999)} "
                                          f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
            "addressType": "RESIDENTIAL"}},
        "proceeds": {"grandTotal": {"amount": f"{total:.2f}", "currencyCode": "TRY"}},
        "fulfillment": {
            "fulfillmentStatus": status, "fulfilledBy": fulfilled_by,
            "fulfillmentServiceLevel": rng.choice(["STANDARD", "EXPEDITED"]),
            "shipByWindow": {"earliestDateTime": iso(created + timedelta(hours=2)),
                             "latestDateTime": iso(created + timedelta(days=2))},
            "deliverByWindow": {"earliestDateTime": iso(created + timedelta(days=2)),
                                "latestDateTime": iso(created + timedelta(days=5))},
        },
        "orderItems": items,
        "_sellerId": seller_id,
    }
    # Every Amazon.com.tr order says how the buyer wants the invoice (seed_tr.py).
    order["tax"] = seed_tr.tax_section(order["orderId"], business=False)
    if business:
        seed_tr.make_business(order)
    return order


def seed_orders(state: "SandboxState", rng: random.Random, count: int = 60) -> None:
    now = state.clock.now()
    catalog = [c for c in sorted(state.catalog.values(), key=lambda x: x["asin"])]
    statuses = list(FULFILLMENT_STATUSES)
    for i in range(count):
        # every status and both channels appear; the rest is random
        status = statuses[i] if i < len(statuses) else rng.choice(
            ["UNSHIPPED", "UNSHIPPED", "SHIPPED", "SHIPPED", "SHIPPED", "PENDING", "CANCELLED",
             "PARTIALLY_SHIPPED"])
        if status == "UNFULFILLABLE":
            fulfilled_by = "AMAZON"
        elif status == "PARTIALLY_SHIPPED" or status == "PENDING_AVAILABILITY":
            fulfilled_by = "MERCHANT"
        else:
            fulfilled_by = "AMAZON" if i % 4 == 3 else "MERCHANT"
        created = now - timedelta(days=30) + timedelta(minutes=i * 700 + rng.randint(0, 300))
        created = min(created, now - timedelta(hours=3))
        # Some business buyers (e-Fatura), and a buyer who asked to cancel a pending order.
        order = make_order(rng, now=now, catalog=catalog, status=status,
                           fulfilled_by=fulfilled_by, created=created, business=i % 5 == 2)
        if i == 1:  # PENDING, merchant-fulfilled (FULFILLMENT_STATUSES' order)
            seed_tr.ask_cancellation(order, "Yanlışlıkla sipariş verdim")
        state.orders[order["orderId"]] = order


def seed_all(state: "SandboxState", sellers: Iterable[str] = ()) -> None:
    rng = random.Random(20260101)
    seed_catalog(state)
    seed_listings(state, rng)
    seed_orders(state, rng)


def seed_live_seller(state: "SandboxState", **kwargs) -> dict:
    """A seller with existing offers on Amazon (price, stock, handling time, B2B prices, shipping
    templates, some FBA SKUs); see seed_live.py. Not part of :func:`seed_all`."""
    from .seed_live import seed_live_seller as seed

    return seed(state, **kwargs)
