"""Property-based fuzzing of the store form and the OAuth callback: never a 500, never a stored
invalid value, always a Turkish message. 1,000 cases each (AMAZON_TR_FUZZ_CASES to change)."""
from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from conftest import csrf_from
from flask_amazon_tr import validation
from flask_amazon_tr.models import Store

CASES = int(os.environ.get("AMAZON_TR_FUZZ_CASES", "1000"))
FUZZ = settings(max_examples=CASES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

turkish = st.text(alphabet=st.sampled_from(list("abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZ0123456789 -_.'\"<>&/;%\\")), max_size=120)
anything = st.text(max_size=300)  # every Unicode category, control characters and surrogates' neighbours included
seller_ids = st.one_of(st.from_regex(r"[Aa][A-Za-z0-9 ]{10,16}", fullmatch=True), anything, turkish)
urls = st.one_of(
    st.builds(lambda scheme, host, path: f"{scheme}://{host}/{path}",
              st.sampled_from(["https", "http", "HTTPS", "javascript", "ftp", "data"]),
              st.sampled_from(["www.amazon.com.tr", "amazon.com.tr", "evil.example", "amazon.com.tr.evil.example",
                               "www.amazon.com.tr:8443", "user:pw@www.amazon.com.tr", "www.amazon.com"]),
              st.text(max_size=40)),
    anything, st.just(""), st.just("javascript:alert(1)"))
choices = st.one_of(st.sampled_from(["0", "1", "all", "stock", "price", "stock_price", "product_info"]), anything)

TURKISH_ERROR = "Bazı alanları kontrol etmeniz gerekiyor"


def assert_valid(store: Store) -> None:
    """A stored store is exactly what the rules would produce from it again."""
    assert validation.store_name(store.name) == store.name
    assert validation.seller_id(store.seller_id) == store.seller_id
    assert validation.store_url(store.store_url) == store.store_url
    assert store.auto_update_type in validation.AUTO_UPDATE_TYPES


@FUZZ
@given(name=st.one_of(turkish, anything), seller_id=seller_ids, store_url=urls,
       active=choices, order_import=choices, product_update=choices, auto_update_type=choices)
def test_store_form_fuzz(app, admin, name, seller_id, store_url, active, order_import, product_update,
                         auto_update_type):
    token = csrf_from(admin.get("/admin/amazon/stores/new").get_data(as_text=True))
    response = admin.post("/admin/amazon/stores/new", data={
        "csrf_token": token, "name": name, "seller_id": seller_id, "store_url": store_url, "active": active,
        "order_import": order_import, "product_update": product_update, "auto_update_type": auto_update_type})
    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 422:
        assert TURKISH_ERROR in response.get_data(as_text=True)
    from demo import db

    with app.app_context():
        for store in db.session.scalars(select(Store)):
            assert_valid(store)


query_values = st.one_of(st.none(), anything, st.from_regex(r"A[A-Z0-9]{12,14}", fullmatch=True),
                         st.just("access_denied"))


@FUZZ
@given(state=query_values, code=query_values, partner=query_values, error=query_values,
       extra=st.dictionaries(st.text(min_size=1, max_size=10), anything, max_size=3))
def test_oauth_callback_fuzz(app, admin, state, code, partner, error, extra):
    params = {k: v for k, v in {"state": state, "spapi_oauth_code": code, "selling_partner_id": partner,
                                "error": error}.items() if v is not None}
    params.update(extra)
    response = admin.get("/admin/amazon/oauth/callback", query_string=params)
    assert response.status_code == 302
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"amazon-tr-alert--error[^>]*>[^<]*(Yetkilendir|yetkilendirme|Amazon)", page), page[:2000]
    from demo import db

    with app.app_context():
        assert db.session.scalar(select(Store).where(Store.refresh_token_encrypted.is_not(None))) is None


@pytest.fixture(autouse=True)
def _one_store(app):
    """The callback fuzz needs a store a forged state could point at."""
    from demo import db

    with app.app_context():
        db.session.add(Store(name="Hedef", seller_id="A1TRDEMOSATICI", auto_update_type="all"))
        db.session.commit()


numbers = st.one_of(st.decimals(allow_nan=True, allow_infinity=True).map(str), st.integers().map(str),
                    st.floats().map(lambda f: str(f).replace(".", ",")), anything,
                    st.sampled_from(["-100", "-90", "-89,99", "1000", "1000,01", "²", "٣", "1e5", "0x10", ""]))


@pytest.fixture
def store_id(app):
    from demo import db

    with app.app_context():
        store = Store(name="Fuzz", seller_id="A1TRDEMOSATICI", auto_update_type="stock_price")
        db.session.add(store)
        db.session.commit()
        return store.id


@FUZZ
@given(stock_buffer=numbers, max_quantity=numbers, markup=numbers, fixed=numbers,
       rounding=st.one_of(st.sampled_from(["none", "90", "99", "whole"]), anything), ptype=anything)
def test_products_settings_fuzz(app, admin, store_id, stock_buffer, max_quantity, markup, fixed, rounding, ptype):
    """The price rule and the product settings: never a 500, never a stored rule that can reach 0,00 ₺."""
    from decimal import Decimal

    from flask_amazon_tr.services.listings import get_settings, values

    token = csrf_from(admin.get(f"/admin/amazon/stores/{store_id}/products").get_data(as_text=True))
    response = admin.post(f"/admin/amazon/stores/{store_id}/products/settings", data={
        "csrf_token": token, "stock_buffer": stock_buffer, "max_quantity": max_quantity, "markup_percent": markup,
        "fixed_amount": fixed, "rounding": rounding, "default_product_type": ptype, "category:Ev": ptype})
    # 400: a NUL character, refused before any form is read (a Turkish page)
    assert response.status_code in (302, 400, 422), response.status_code
    example = admin.get(f"/admin/amazon/stores/{store_id}/products/example",
                        query_string={"markup_percent": markup, "fixed_amount": fixed, "rounding": rounding})
    assert example.status_code in (200, 400), example.status_code
    with app.app_context():
        rules = values.Rules.from_settings(get_settings(store_id))
        assert values.apply_price_rule(Decimal("0.01"), rules) > 0
        assert 0 <= rules.stock_buffer <= 1_000_000
