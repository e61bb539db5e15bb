"""The products page in Turkish: links, settings with the worked example, şimdi gönder, önizleme."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
from conftest import csrf_from
from test_products_support import build_env, read_inventory_first, seed_demo_catalog


@pytest.fixture
def env(tmp_path, sandbox):
    seed_demo_catalog(sandbox.state)
    return build_env(tmp_path, sandbox, AMAZON_TR_PRICE_JUMP_FACTOR=3.0)


@pytest.fixture
def admin(env):
    client = env.app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


def _settings_form(csrf, **over):
    data = {"csrf_token": csrf, "stock_buffer": "2", "max_quantity": "", "markup_percent": "10",
            "fixed_amount": "5", "rounding": "90", "default_product_type": "HOME", "category:Gıda": "GROCERY"}
    data.update(over)
    return data


def test_settings_form_saves_and_shows_the_worked_example(env, admin):
    page = admin.get(f"/admin/amazon/stores/{env.store_id}/products")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Stok tamponu" in html and "Fiyat kuralı" in html and "Şimdi gönder" in html
    resp = admin.post(f"/admin/amazon/stores/{env.store_id}/products/settings", data=_settings_form(csrf_from(html)))
    assert resp.status_code == 302
    html = admin.get(f"/admin/amazon/stores/{env.store_id}/products").get_data(as_text=True)
    # 100 ₺ + %10 = 110 ₺, + 5 ₺ = 115 ₺, rounded up to ,90 = 115,90 ₺
    assert "115,90" in html and "110,00" in html
    bad = admin.post(f"/admin/amazon/stores/{env.store_id}/products/settings",
                     data=_settings_form(csrf_from(html), markup_percent="on"))
    assert bad.status_code == 422
    assert "Bir sayı girin" in bad.get_data(as_text=True)
    example = admin.get(f"/admin/amazon/stores/{env.store_id}/products/example?markup_percent=20&fixed_amount=0"
                        "&rounding=whole")
    assert "120,00" in example.get_data(as_text=True)


@pytest.mark.parametrize("over, field_text", [
    ({"markup_percent": "-100"}, "%-90"),           # would send 0,00 ₺
    ({"markup_percent": "5000"}, "%1000"),
    ({"fixed_amount": "-50"}, "sıfır veya daha büyük"),  # a fixed discount can bring cheap products to zero
    ({"markup_percent": "1e5"}, "Bir sayı girin"),
    ({"stock_buffer": "²"}, "0 veya daha büyük bir tam sayı"),
    ({"max_quantity": "99999999999999999999"}, "0 veya daha büyük bir tam sayı"),
    ({"rounding": "up"}, "yuvarlama"),
])
def test_a_price_rule_that_could_reach_zero_or_nonsense_is_refused(env, admin, over, field_text):
    from flask_amazon_tr.services.listings import get_settings

    html = admin.get(f"/admin/amazon/stores/{env.store_id}/products").get_data(as_text=True)
    bad = admin.post(f"/admin/amazon/stores/{env.store_id}/products/settings", data=_settings_form(csrf_from(html), **over))
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert field_text.lower() in body.lower()
    [(field, typed)] = over.items()
    if field != "rounding":
        assert f'value="{typed}"' in body  # what was typed stays in the field
    with env.ctx():
        saved = get_settings(env.store_id)
        assert saved.markup_percent == Decimal("0") and saved.fixed_amount == Decimal("0")


def test_the_service_refuses_the_same_bounds_for_every_caller(env):
    from flask_amazon_tr.errors import InvalidSettings
    from flask_amazon_tr.services.listings import save_settings

    with env.ctx(), pytest.raises(InvalidSettings) as refused:
        save_settings(env.store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("-95"),
                      fixed_amount=Decimal("0"), rounding="none", default_product_type=None, category_map={})
    assert set(refused.value.errors) == {"markup_percent"}


def test_push_now_links_and_the_page_shows_states_and_locked_reason(env, admin):
    html = admin.get(f"/admin/amazon/stores/{env.store_id}/products").get_data(as_text=True)
    admin.post(f"/admin/amazon/stores/{env.store_id}/products/settings", data=_settings_form(csrf_from(html)))
    resp = admin.post(f"/admin/amazon/stores/{env.store_id}/products/push", data={"csrf_token": csrf_from(html)},
                      headers={"HX-Request": "true"})
    assert resp.status_code == 200
    assert "başladı" in resp.get_data(as_text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = admin.get(f"/admin/amazon/stores/{env.store_id}/products/status").get_data(as_text=True)
        if "tamamlandı" in status:
            break
        time.sleep(0.2)
    assert "tamamlandı" in status
    html = admin.get(f"/admin/amazon/stores/{env.store_id}/products?state=locked").get_data(as_text=True)
    assert "DEMO-0003" in html and "katalog kilitli" in html
    assert "fiyat ve stok" in html.lower()
    assert "DEMO-0004" not in html
    html = admin.get(f"/admin/amazon/stores/{env.store_id}/products?q=DEMO-0004").get_data(as_text=True)
    row = html[html.index('<tr id="amazon-tr-link-'):]
    row = row[:row.index("</tr>")]
    # accepted for processing: "yayında" only once Amazon's own status says BUYABLE
    assert "Amazon işliyor" in row and "yayında" not in row
    link_id = row.split('name="link" value="', 1)[1].split('"', 1)[0]
    row = admin.post(f"/admin/amazon/stores/{env.store_id}/products/row/status",
                     data={"csrf_token": csrf_from(html), "link": link_id}, headers={"HX-Request": "true"})
    assert "yayında" in row.get_data(as_text=True) and "Amazon: satışta" in row.get_data(as_text=True)


def test_row_actions_send_unlink_and_lock_price(env, admin):
    from flask_amazon_tr.models import ListingLink
    from flask_amazon_tr.services.listings import push_products
    from sqlalchemy import select
    from demo import Product, db

    read_inventory_first(env)
    with env.ctx():
        push_products(env.store_id, skus=["DEMO-0001"])
        link_id = db.session.scalar(select(ListingLink.id).where(ListingLink.sku == "DEMO-0001"))
        product = db.session.scalar(select(Product).where(Product.sku == "DEMO-0001"))
        product.price = Decimal("200.00")
        db.session.commit()
    csrf = csrf_from(admin.get(f"/admin/amazon/stores/{env.store_id}/products").get_data(as_text=True))
    base = f"/admin/amazon/stores/{env.store_id}/products/row"
    env.sb.clear_requests()
    row = admin.post(f"{base}/push", data={"csrf_token": csrf, "link": link_id}, headers={"HX-Request": "true"})
    assert "Amazon&#39;a gönderildi" in row.get_data(as_text=True)
    assert env.sb.count("patchListingsItem") == 1
    row = admin.post(f"{base}/price-lock", data={"csrf_token": csrf, "link": link_id, "until": "2099-01-31"},
                     headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "31.01.2099" in row
    row = admin.post(f"{base}/unlink", data={"csrf_token": csrf, "link": link_id}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "bağlantı kaldırıldı" in row
    with env.ctx():
        product = db.session.scalar(select(Product).where(Product.sku == "DEMO-0001"))
        product.stock = 1
        db.session.commit()
        env.sb.clear_requests()
        push_products(env.store_id, skus=["DEMO-0001"])
    assert env.sent() == {}, "an unlinked product is not sent"


def test_preview_page_sends_nothing(env, admin):
    env.sb.clear_requests()
    html = admin.get(f"/admin/amazon/stores/{env.store_id}/products/preview?type=price").get_data(as_text=True)
    assert env.sent() == {}
    assert "Önizleme" in html and "DEMO-0001" in html and "249,00&nbsp;₺" in html.replace("\u00a0", "&nbsp;")


def test_store_page_box_links_to_products(env, admin):
    html = admin.get(f"/admin/amazon/stores/{env.store_id}").get_data(as_text=True)
    assert f"/admin/amazon/stores/{env.store_id}/products" in html


def test_a_price_far_from_amazons_waits_for_the_admin(env, admin):
    """A typo (24,90 for 249,00) is not sold at a tenth of the price: held until Fiyatı onayla."""
    from flask_amazon_tr.models import ListingLink
    from flask_amazon_tr.services.listings import push_products
    from sqlalchemy import select
    from demo import Product, db

    with env.ctx():
        push_products(env.store_id)
        product = db.session.scalar(select(Product).where(Product.sku == "DEMO-0002"))
        before = db.session.scalar(select(ListingLink).where(ListingLink.sku == "DEMO-0002")).amazon_price
        product.price = (before / 10).quantize(Decimal("0.01"))
        db.session.commit()
        env.sb.clear_requests()
        run = push_products(env.store_id)
        assert run.counts["price_held"] == 1
        link = db.session.scalar(select(ListingLink).where(ListingLink.sku == "DEMO-0002"))
        link_id = link.id
    assert not any(e["path"].endswith("DEMO-0002") for e in env.requests("patchListingsItem"))
    html = admin.get(f"/admin/amazon/stores/{env.store_id}/products?q=DEMO-0002").get_data(as_text=True)
    assert "Fiyatı onayla" in html and "çok farklı" in html
    with env.ctx():  # pushing again does not send it either
        push_products(env.store_id)
    assert not any(e["path"].endswith("DEMO-0002") for e in env.requests("patchListingsItem"))
    row = admin.post(f"/admin/amazon/stores/{env.store_id}/products/row/confirm-price",
                     data={"csrf_token": csrf_from(html), "link": link_id},
                     headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "onaylandı" in row
    price = env.listing("DEMO-0002")["attributes"]["purchasable_offer"][0]["our_price"][0]["schedule"][0]
    assert Decimal(str(price["value_with_tax"])) == (before / 10).quantize(Decimal("0.01"))
