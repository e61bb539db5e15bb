"""`flask amazon …` speaks one language through the catalog and its exit codes mean something."""
from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from flask_amazon_tr.sandbox.seed import ALL_ROLES, TR_MARKETPLACE_ID, TR_SELLER_ID
from test_authorization import add_store, admin, amazon_app, authorize  # noqa: F401
from test_products_feeds import env  # noqa: F401  (a store with the demo catalog read from Amazon)

NO_ORDERS_SELLER = "A6TRCLINOORDERS"
# Words of the English CLI that must never be in the Turkish one (and the other way round).
ENGLISH = re.compile(r"\b(authorization|store on Amazon|OK|FAILED|Passive|Active|next|last|ran|errors?|leader)\b")
TURKISH = re.compile(r"[çğıöşüÇĞİÖŞÜ]")


def cli(app, *args, locale=None):
    env = {"AMAZON_TR_LOCALE": locale} if locale else {"AMAZON_TR_LOCALE": ""}
    return app.test_cli_runner().invoke(args=["amazon", *args], env=env)


def test_the_cli_is_turkish_by_default_and_english_on_request(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    authorize(admin, store_id)
    turkish = [cli(amazon_app, "stores"), cli(amazon_app, "test", str(store_id)),
               cli(amazon_app, "scheduler", "status")]
    for result in turkish:
        assert result.exit_code == 0, result.output
        assert not ENGLISH.search(result.output), result.output
    assert "Yetkilendirme: Yetkilendirildi" in turkish[0].output and "Aktif" in turkish[0].output
    assert turkish[1].output.startswith("BAŞARILI (ok): Bağlantı başarılı")
    assert "Amazon'daki mağaza:" in turkish[1].output and "✓" in turkish[1].output
    # no ISO timestamp nor "UTC": Istanbul time, written the Turkish way
    assert not re.search(r"\d{4}-\d{2}-\d{2}|UTC", turkish[2].output), turkish[2].output

    english = [cli(amazon_app, "stores", locale="en"), cli(amazon_app, "test", str(store_id), locale="en"),
               cli(amazon_app, "scheduler", "status", locale="en")]
    for result in english:
        assert result.exit_code == 0, result.output
        # names are the shop's and Amazon's own (a line that names them keeps them as written)
        name = turkish[0].output.split("\t")[1]
        words = "\n".join(line.replace(name, "").split("“")[0] for line in result.output.splitlines()
                          if "store on Amazon" not in line)
        assert not TURKISH.search(words), result.output
    assert "Authorization: Authorized" in english[0].output
    assert english[1].output.startswith("OK (ok): Connection successful")
    assert "This process:" in english[2].output
    # the language is the command's only: the shop's pages stay in their own
    assert amazon_app.config["AMAZON_TR_LOCALE"] == "tr"
    assert "Bağlantı başarılı" in admin.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)


def test_a_missing_store_is_said_in_the_cli_language(amazon_app):
    turkish = cli(amazon_app, "test", "Yok Böyle")
    english = cli(amazon_app, "test", "Yok Böyle", locale="en")
    assert turkish.exit_code == 2 and "“Yok Böyle” adında bir Amazon mağazası yok" in turkish.output
    assert english.exit_code == 2 and "no Amazon store “Yok Böyle”" in english.output


def test_api_test_exit_codes(amazon_app, admin, sandbox):
    unauthorized = add_store(amazon_app, name="Yetkisiz", seller_id="A6TRCLIUNAUTH")
    result = cli(amazon_app, "test", str(unauthorized))
    assert result.exit_code == 1 and result.output.startswith("BAŞARISIZ (not_authorized)"), result.output

    sandbox.state.add_seller(NO_ORDERS_SELLER, name="Trakya", marketplaces=[TR_MARKETPLACE_ID],
                             roles=ALL_ROLES - {"orders"})
    missing_role = add_store(amazon_app, name="Rolsüz", seller_id=NO_ORDERS_SELLER)
    authorize(admin, missing_role, seller_id=NO_ORDERS_SELLER)
    result = cli(amazon_app, "test", str(missing_role))
    # connected, but a role is missing: not a success for a script
    assert result.exit_code == 3, result.output
    assert result.output.startswith("BAŞARILI (ok)") and "✗" in result.output and "Inventory and Order Tracking" in \
        result.output

    store_id = add_store(amazon_app)
    authorize(admin, store_id)
    requests.post(f"{sandbox.url}/_sandbox/sellers/{TR_SELLER_ID}",
                  json={"participating": {TR_MARKETPLACE_ID: False}}, timeout=10)
    result = cli(amazon_app, "test", str(store_id))
    assert result.exit_code == 1 and "(not_participating)" in result.output, result.output


def _raise_prices(skus):
    from demo import Product, db

    for product in db.session.scalars(select(Product).where(Product.sku.in_(skus))):
        product.price = product.price + 1
    db.session.commit()


def test_sync_products_shows_its_error_count_and_fails_on_errors(env):
    skus = [f"DEMO-{i:04d}" for i in range(1, 11)]  # above the patch threshold: one feed
    args = ["sync", "products", "Amazon TR"] + [part for sku in skus for part in ("--sku", sku)]
    clean = cli(env.app, *args)
    assert clean.exit_code == 0, clean.output
    assert "Amazon kabul etti: 10" in clean.output and "hata: 0" in clean.output
    assert "accepted=" not in clean.output

    with env.ctx():
        _raise_prices(skus)
    env.sb.force_feed_outcome("feed_error")  # Amazon: one issue for the whole feed, nothing applied
    failed = cli(env.app, *args)
    assert failed.exit_code == 1, failed.output
    assert "hata: 10" in failed.output and "Amazon 10 ürünü kabul etmedi" in failed.output

    english = cli(env.app, "sync", "products", "Amazon TR", "--sku", "DEMO-0001", locale="en")
    assert "errors: " in english.output and "hata" not in english.output
