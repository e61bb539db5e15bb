"""The demo shows everything (issue 17 §4): its admin changes a product's stock and price and Amazon has them
within seconds; its pages speak Turkish; the sandbox's control page makes Amazon-side events happen."""
from __future__ import annotations

import re
import time
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import select
from test_products_support import build_env, read_inventory_first, seed_demo_catalog



def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def admin_client(app):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


def offer(env, sku):
    listing = env.listing(sku) or {"attributes": {}}
    attrs = listing["attributes"]
    price = attrs.get("purchasable_offer", [{}])[0].get("our_price", [{}])[0].get("schedule", [{}])[0].get(
        "value_with_tax")
    quantity = attrs.get("fulfillment_availability", [{}])[0].get("quantity")
    return price, quantity


def test_admin_changes_stock_and_price_and_amazon_has_them_in_seconds(tmp_path, sandbox):
    seed_demo_catalog(sandbox.state)
    env = build_env(tmp_path, sandbox, update_type="stock_price", AMAZON_TR_STOCK_DEBOUNCE_SECONDS=0.2)
    from flask_amazon_tr.services.listings import push_products

    with env.ctx():
        read_inventory_first(env)
        push_products(env.store_id, skus=["DEMO-0001"])
    client = admin_client(env.app)
    page = client.get("/admin/products").get_data(as_text=True)
    assert 'for="stock-1"' in page and 'for="price-1"' in page  # every input has its label
    started = time.monotonic()
    answer = client.post("/admin/products/DEMO-0001", data={"csrf_token": csrf_from(page), "stock": "17",
                                                            "price": "1.234,50"}, follow_redirects=True)
    html = unescape(answer.get_data(as_text=True))
    assert "DEMO-0001 kaydedildi" in html and "1.234,50\u00a0₺" in html
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and offer(env, "DEMO-0001") != (1234.5, 17):
        time.sleep(0.05)
    assert offer(env, "DEMO-0001") == (1234.5, 17)
    assert time.monotonic() - started < 5
    from demo import Product, db

    with env.app.app_context():
        product = db.session.scalar(select(Product).where(Product.sku == "DEMO-0001"))
        assert (product.stock, product.price) == (17, Decimal("1234.50"))


@pytest.mark.parametrize("stock, price, words", [
    ("-1", "10,00", "Stok 0 ile 999999"), ("5", "0", "sıfırdan büyük"), ("5", "12,345", "iki kuruş"),
    ("١٢", "10", "Stok 0 ile 999999"), ("5", "NaN", "sıfırdan büyük"),
])
def test_admin_product_form_refuses_bad_values_in_turkish(tmp_path, sandbox, stock, price, words):
    env = build_env(tmp_path, sandbox)
    client = admin_client(env.app)
    token = csrf_from(client.get("/admin/products").get_data(as_text=True))
    html = client.post("/admin/products/DEMO-0002", data={"csrf_token": token, "stock": stock, "price": price},
                       follow_redirects=True).get_data(as_text=True)
    assert words in unescape(html) and 'role="alert"' in html


def test_demo_orders_page_shows_its_own_states_in_turkish(tmp_path, sandbox):
    from demo import Order, db

    env = build_env(tmp_path, sandbox)
    with env.app.app_context():
        for i, (status, channel) in enumerate([("ready", "merchant"), ("partially_shipped", "merchant"),
                                               ("shipped", "amazon"), ("cancelled", "merchant")]):
            db.session.add(Order(number=f"AMZ-{i}", source="amazon", status=status, fulfillment_channel=channel,
                                 total=Decimal("189.9")))
        db.session.commit()
    html = admin_client(env.app).get("/admin/orders").get_data(as_text=True)
    text = unescape(re.sub(r"<[^>]+>", "><", html))
    for code in (">ready<", ">partially_shipped<", ">merchant<", ">amazon<", ">shipped<", ">cancelled<"):
        assert code not in text, code
    for words in ("Kargoya hazır", "Kısmen kargolandı", "Satıcı gönderiyor", "Amazon gönderiyor (FBA)", "189,90\u00a0₺"):
        assert words in text, words


def test_sandbox_control_page_makes_amazon_side_events_happen(sandbox):
    import requests

    st = sandbox.state
    base = f"{sandbox.url}/_sandbox"
    page = requests.get(f"{base}/", timeout=10).text
    assert "A1TRDEMOSATICI" in page and "Satıcı Kodu" in page and 'lang="tr"' in page
    before = set(st.orders)
    answer = requests.post(f"{base}/page/new-order", data={"seller_id": "A1TRDEMOSATICI", "status": "UNSHIPPED",
                                                           "fulfilled_by": "MERCHANT"}, timeout=10)
    [new] = set(st.orders) - before
    assert f"{new} numaralı sipariş oluşturuldu" in answer.text
    requests.post(f"{base}/page/cancellation-request", data={"order_id": new, "reason": "Vazgeçtim"}, timeout=10)
    item = st.orders[new]["orderItems"][0]
    assert item["cancellation"]["cancellationRequest"]["cancelReason"] == "Vazgeçtim"
    requests.post(f"{base}/page/cancel", data={"order_id": new}, timeout=10)
    assert st.orders[new]["fulfillment"]["fulfillmentStatus"] == "CANCELLED"
    token = requests.post(f"{base}/self-authorize", json={"seller_id": "A1TRDEMOSATICI"}, timeout=10)
    answer = requests.post(f"{base}/page/revoke", data={"seller_id": "A1TRDEMOSATICI"}, timeout=10)
    assert "yetkisi geri alındı" in answer.text
    assert all(rt["revoked"] for rt in st.refresh_tokens.values() if rt["seller_id"] == "A1TRDEMOSATICI")
    # a web page in the same browser cannot pull the levers
    refused = requests.post(f"{base}/page/cancel", data={"order_id": new}, timeout=10,
                            headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert token.status_code in (201, 404)


def test_demo_admin_links_the_control_page_when_the_sandbox_is_mounted(tmp_path):
    from conftest import make_app

    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", DEMO_MOUNT_SANDBOX=True)
    html = admin_client(app).get("/admin/products").get_data(as_text=True)
    assert 'href="/amazon-sandbox/_sandbox/"' in html
    page = app.test_client().get("/amazon-sandbox/_sandbox/")
    assert page.status_code == 200 and "Amazon sandbox kontrol paneli" in page.get_data(as_text=True)
    # like every lever of /_sandbox, the page and its buttons answer only this machine
    remote = app.test_client()
    assert remote.get("/amazon-sandbox/_sandbox/", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 403
    assert remote.post("/amazon-sandbox/_sandbox/page/revoke", data={"seller_id": "A1TRDEMOSATICI"},
                       environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 403


def test_demo_order_shows_shipped_as_soon_as_amazon_confirms_it(tmp_path, sandbox):
    from conftest import make_app
    from test_authorization import add_store, authorize
    from flask_amazon_tr.services.orders import import_orders
    from demo import Order, db

    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url)
    admin = admin_client(app)
    store_id = add_store(app)
    authorize(admin, store_id)
    with app.app_context():
        import_orders(store_id)
        number = db.session.scalars(select(Order.number).where(Order.status == "ready",
                                                               Order.fulfillment_channel == "merchant")).first()
    token = csrf_from(admin.get("/admin/orders").get_data(as_text=True))
    html = admin.post(f"/admin/orders/{number}/ship", data={"csrf_token": token, "carrier": "Aras Kargo",
                                                           "tracking_number": "ARAS-1"},
                      follow_redirects=True).get_data(as_text=True)
    row = re.search(rf'<tr data-order="{re.escape(number)}">.*?</tr>', html, flags=re.S).group(0)
    assert 'data-status="shipped"' in row and "Kargolandı" in row and "Kargoya ver<" not in row
