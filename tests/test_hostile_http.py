"""The admin pages under hostile HTTP (issue 15): no framing and no foreign code (CSP), failures of htmx
actions shown in place, no open redirect, no 500 for huge or Unicode numbers, the form size limit on
chunked bodies, ship dates Amazon must never get, and the shipments page in pages."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import csrf_from
from test_security import admin_rules, concrete, with_store  # noqa: F401  (a store, signed in)
from test_shipments import env  # noqa: F401  (the authorized store over the local Amazon)

ROOT = Path(__file__).resolve().parents[1]
HUGE = "99999999999999999999999"
HX = {"HX-Request": "true"}


def token_of(client, url="/admin/amazon/stores/1") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


# --- item 8: X-Frame-Options and a Content-Security-Policy on every admin answer -------------------

def csp_of(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def assert_locked_down(response, where):
    assert response.headers.get("X-Frame-Options") == "DENY", where
    csp = csp_of(response)
    assert csp.get("frame-ancestors") == "'none'", where
    assert csp.get("default-src") == "'self'" and csp.get("script-src") == "'self'", where
    assert csp.get("style-src") == "'self'", where
    assert csp.get("form-action", "").startswith("'self'"), where
    assert "unsafe" not in response.headers["Content-Security-Policy"], where


INLINE = [re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), re.compile(r"<style", re.I),
          re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
          re.compile(r"javascript:", re.I)]


def inline_code(html: str) -> list[str]:
    return [m.group(0) for pattern in INLINE for m in pattern.finditer(html)]


def test_every_admin_answer_forbids_framing_and_foreign_code(app, with_store):  # noqa: F811
    token = token_of(with_store)
    seen = 0
    for rule in admin_rules(app):
        url = concrete(rule)
        if "GET" in rule.methods:
            response = with_store.get(url)
            assert_locked_down(response, url)
            if response.status_code == 200 and response.mimetype == "text/html":
                assert inline_code(response.get_data(as_text=True)) == [], url
            seen += 1
        if "POST" in rule.methods:
            for headers in ({}, HX):
                assert_locked_down(with_store.post(url, data={"csrf_token": token}, headers=headers), url)
                assert_locked_down(with_store.post(url, data={}, headers=headers), url)  # CSRF refused
    assert seen >= 10
    # the guard's answer and a plain 404 are the plugin's answers too
    assert_locked_down(app.test_client().get("/admin/amazon/"), "signed out")
    assert_locked_down(with_store.get("/admin/amazon/stores/777"), "404")


def test_the_consent_page_stays_reachable_from_the_authorize_form(app, with_store):  # noqa: F811
    """Yetkilendir posts a form that Seller Central's consent page answers: form-action must allow it."""
    csp = csp_of(with_store.get("/admin/amazon/stores/1"))
    assert csp["form-action"] == "'self' https://sellercentral.amazon.com.tr"


def test_the_hosts_own_pages_are_not_touched(admin):
    for url in ("/", "/admin/products", "/admin/orders", "/admin/login"):
        response = admin.get(url)
        assert "Content-Security-Policy" not in response.headers, url
        assert "X-Frame-Options" not in response.headers, url


def test_a_host_whose_layout_needs_inline_code_sets_its_own_policy(app, with_store):  # noqa: F811
    app.config["AMAZON_TR_CONTENT_SECURITY_POLICY"] = "default-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    response = with_store.get("/admin/amazon/stores/1")
    assert response.headers["Content-Security-Policy"] == "default-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_template_of_the_admin_pages_carries_inline_code():
    templates = sorted((ROOT / "templates" / "amazon_tr").rglob("*.html")) + [ROOT / "demo/templates/admin_layout.html"]
    found = {str(p.relative_to(ROOT)): inline_code(p.read_text()) for p in templates}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_htmx_is_told_not_to_inject_its_indicator_style(admin):
    html = admin.get("/admin/amazon/").get_data(as_text=True)
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', html)
    assert meta, "no htmx-config meta"
    assert '"includeIndicatorStyles":false' in meta.group(1).replace(" ", "")
    assert '"allowEval":false' in meta.group(1).replace(" ", "")
    # the indicator rules htmx would have injected are in the plugin's own stylesheet
    css = admin.get("/amazon-tr/static/amazon_tr/amazon_tr.css").get_data(as_text=True)
    assert ".htmx-indicator" in css


def test_the_demo_layout_styles_come_from_a_file(admin):
    html = admin.get("/admin/amazon/").get_data(as_text=True)
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert len(links) == 2, links
    for href in links:
        response = admin.get(href)
        assert response.status_code == 200 and response.mimetype == "text/css", href
    assert any("nav.side" in admin.get(href).get_data(as_text=True) for href in links)


# --- item 9: an unexpected error on an htmx action shows in place -----------------------------------

def drop_table(app, name):
    from demo import db

    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE {name}"))


def test_unexpected_error_on_an_htmx_action_is_a_turkish_fragment(app, with_store):  # noqa: F811
    token = token_of(with_store)
    drop_table(app, "amazon_tr_listing_settings")
    drop_table(app, "amazon_tr_scheduler_store")
    for method, url in (("GET", "/admin/amazon/stores/1/products/example?markup_percent=10"),
                        ("POST", "/admin/amazon/scheduler/stores/1/pause")):
        answer = with_store.open(url, method=method, headers=dict(HX, **{"X-CSRFToken": token}))
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200, url  # htmx 2 swaps no 5xx answer
        assert "<html" not in html and 'role="alert"' in html, url
        assert "Beklenmeyen bir hata oluştu" in html and "Traceback" not in html, url
        # without htmx the full Turkish error page, with its status
        plain = with_store.open(url, method=method, data={"csrf_token": token})
        assert plain.status_code == 500 and "Bir şeyler ters gitti" in plain.get_data(as_text=True)


def test_htmx_request_for_something_gone_is_a_turkish_fragment(with_store):  # noqa: F811
    answer = with_store.get("/admin/amazon/stores/1/orders/runs/12345", headers=HX)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "<html" not in html and "bulunamadı" in html


# --- item 10: open redirect ----------------------------------------------------------------------

OFFSITE = ["/\t/evil.com", "\\\\evil.com", "//evil.com", "https://evil.com", "/\\evil.com", "/\n/evil.com",
           " //evil.com", "///evil.com", "http:/evil.com", "javascript:alert(1)", "/\x00/evil.com", "\t//evil.com"]


@pytest.mark.parametrize("target", OFFSITE)
def test_safe_next_refuses_other_sites(target):
    from flask_amazon_tr.views.blueprint import safe_next

    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/admin/amazon/stores/1", "/admin/amazon/stores/1/products?state=error#x"])
def test_safe_next_keeps_paths_of_this_site(target):
    from flask_amazon_tr.views.blueprint import safe_next

    assert safe_next(target, "/home") == target
    assert safe_next(None, "/home") == safe_next("", "/home") == "/home"


def test_the_demo_login_uses_the_same_check():
    from demo import login
    from flask_amazon_tr.views.blueprint import safe_next

    assert login.safe_next is safe_next


@pytest.mark.parametrize("raw", ["/%09/evil.com", "%5C%5Cevil.com", "//evil.com", "https://evil.com", "/%5Cevil.com",
                                 "/%0A/evil.com"])
def test_push_form_never_redirects_to_another_site(with_store, raw):  # noqa: F811
    token = token_of(with_store)
    body = f"csrf_token={token}&next={raw}"
    response = with_store.post("/admin/amazon/stores/1/products/push", data=body,
                               content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/amazon/stores/1/products"


def test_push_form_returns_to_the_store_page_it_came_from(with_store):  # noqa: F811
    response = with_store.post("/admin/amazon/stores/1/products/push",
                               data={"csrf_token": token_of(with_store), "next": "/admin/amazon/stores/1"})
    assert response.headers["Location"] == "/admin/amazon/stores/1"


# --- item 12: huge and Unicode numbers answer 400/404 in Turkish, never 500 --------------------------

def with_ids(rule, value) -> str:
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", value, rule.rule)


@pytest.mark.parametrize("value", [HUGE, str(2 ** 63), "18446744073709551616"])
def test_huge_ids_in_every_admin_url_are_a_turkish_404(app, with_store, value):  # noqa: F811
    token = token_of(with_store)
    rules = [r for r in admin_rules(app) if r.arguments]
    assert len(rules) >= 15
    for rule in rules:
        url = with_ids(rule, value)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = with_store.open(url, method=method, data={"csrf_token": token, "link": "1"})
            assert response.status_code == 404, (url, method, response.status_code)
            assert "bulunamadı" in response.get_data(as_text=True), url
            htmx = with_store.open(url, method=method, data={"csrf_token": token, "link": "1"}, headers=HX)
            assert htmx.status_code == 200 and "bulunamadı" in htmx.get_data(as_text=True), url


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "0", "²", "٣", "abc", "1e3", "1.5", " 2"])
@pytest.mark.parametrize("where", ["products", "shipments"])
def test_bad_page_numbers_are_a_turkish_400(with_store, page, where):  # noqa: F811
    response = with_store.get(f"/admin/amazon/stores/1/{where}", query_string={"page": page})
    assert response.status_code == 400, (where, page)
    assert "Sayfa numarası geçersiz" in response.get_data(as_text=True)


@pytest.mark.parametrize("where", ["products", "shipments"])
def test_a_page_past_the_last_is_an_empty_page(with_store, where):  # noqa: F811
    assert with_store.get(f"/admin/amazon/stores/1/{where}?page=100000").status_code == 200


@pytest.mark.parametrize("link", ["²", "٣", HUGE, "-1", "1.0", ""])
@pytest.mark.parametrize("action", ["push", "unlink", "link", "price-lock"])
def test_row_actions_with_a_bad_product_number_are_a_turkish_404(with_store, link, action):  # noqa: F811
    token = token_of(with_store)
    response = with_store.post(f"/admin/amazon/stores/1/products/row/{action}",
                               data={"csrf_token": token, "link": link})
    assert response.status_code == 404, (action, link, response.status_code)
    assert "bulunamadı" in response.get_data(as_text=True)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "²⁰²⁶-01-01", "٢٠٢٦-٠١-٠١"])
def test_order_reimport_dates_at_the_ends_of_the_calendar_answer_in_turkish(with_store, day):  # noqa: F811
    token = token_of(with_store)
    for headers in ({}, HX):
        response = with_store.post("/admin/amazon/stores/1/orders/import", data={"csrf_token": token, "since": day},
                                   headers=headers, follow_redirects=not headers)
        assert response.status_code in (200, 400, 422), (day, response.status_code)
        html = response.get_data(as_text=True)
        assert "Beklenmeyen bir hata" not in html and "Bir şeyler ters gitti" not in html


@pytest.mark.parametrize("units", ["²", "٣", "99999999999999999999999"])
def test_unicode_and_huge_units_in_the_shipment_form_answer_in_turkish(env, units):  # noqa: F811
    from flask_amazon_tr.models import ImportedOrder
    from demo import db

    oid = env.order("AMZ-20")
    with env.ctx():
        order_id = db.session.scalar(sa.select(ImportedOrder.id).where(ImportedOrder.amazon_order_id == oid))
    client = env.app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    page = f"/admin/amazon/stores/{env.store_id}/shipments/{order_id}"
    token = csrf_from(client.get(page).get_data(as_text=True))
    client.post(page + "/read", data={"csrf_token": token})
    response = client.post(page, data={"csrf_token": token, "carrier": "Aras Kargo", "tracking_number": "A-1",
                                       "ship_date": "2026-03-02", "qty_31111111111111": units})
    assert response.status_code == 422, response.status_code
    html = response.get_data(as_text=True)
    assert ("tam sayı olarak adet" in html or "adet fazla girildi" in html) and "Beklenmeyen" not in html
    assert env.confirmations() == []


# --- item 13: AMAZON_TR_MAX_FORM_BYTES holds for chunked bodies ---------------------------------------

def chunked_post(client, url, body: bytes):
    return client.post(url, input_stream=io.BytesIO(body), content_type="application/x-www-form-urlencoded",
                       headers={"Transfer-Encoding": "chunked"}, environ_base={"wsgi.input_terminated": True})


def test_a_chunked_body_over_the_limit_is_refused_in_turkish(app, with_store):  # noqa: F811
    from demo import db
    from flask_amazon_tr.models import Store

    token = token_of(with_store)
    body = (f"csrf_token={token}&seller_id=A1TRDEMOSATICI&auto_update_type=all&active=1&name=".encode()
            + b"x" * 400_000)
    response = chunked_post(with_store, "/admin/amazon/stores/1", body)
    assert response.status_code == 413
    assert "Form çok büyük" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Store.name)) == "Mağaza"


def test_a_small_chunked_body_still_works(app, with_store):  # noqa: F811
    from demo import db
    from flask_amazon_tr.models import Store

    token = token_of(with_store)
    body = f"csrf_token={token}&seller_id=A1TRDEMOSATICI&auto_update_type=all&active=1&name=Yeni+Ad".encode()
    response = chunked_post(with_store, "/admin/amazon/stores/1", body)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Store.name)) == "Yeni Ad"


# --- item 16: ship dates after today or before the order are refused -----------------------------------

def _purchased(env, number, when: datetime):
    from flask_amazon_tr.models import ImportedOrder
    from demo import db

    with env.ctx():
        row = db.session.scalar(sa.select(ImportedOrder).where(ImportedOrder.shop_number == number))
        row.purchased_at = when
        db.session.commit()


# The simulated clock stands at 2026-03-02 12:00 in Istanbul (09:00 UTC).
@pytest.mark.parametrize("ship_date, words", [("9999-12-31", "bugünden sonra"), ("2026-03-03", "bugünden sonra"),
                                              (datetime(2026, 3, 2, 21, 30, tzinfo=timezone.utc), "bugünden sonra"),
                                              ("2026-02-28", "sipariş tarihinden"),
                                              ("0001-01-01", "sipariş tarihinden")])
def test_ship_dates_amazon_must_not_get_are_refused_in_turkish(env, ship_date, words):  # noqa: F811
    from flask_amazon_tr.services.shipments import ShipmentRefused, record_shipment

    env.order("AMZ-30")
    _purchased(env, "AMZ-30", datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc))
    with env.ctx():
        with pytest.raises(ShipmentRefused) as refused:
            record_shipment("AMZ-30", "Aras Kargo", "A-1", ship_date, [("CEZVE-1", 1)])
        assert words in str(refused.value.errors["ship_date"])
        assert env.packages() == []
    assert env.confirmations() == []


def test_ship_dates_today_and_on_the_order_day_go_and_never_lie_ahead(env):  # noqa: F811
    from flask_amazon_tr.services.shipments import record_shipment

    env.order("AMZ-31")
    _purchased(env, "AMZ-31", datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc))  # 13:00 in Istanbul
    with env.ctx():
        record_shipment("AMZ-31", "Aras Kargo", "A-1", "2026-03-01", [("CEZVE-1", 1)])  # noon: before the order
        record_shipment("AMZ-31", "Aras Kargo", "A-2", "2026-03-02T20:00:00+03:00", [("CEZVE-1", 1)])  # tonight
        record_shipment("AMZ-31", "Aras Kargo", "A-3", None, [("CEZVE-1", 1)])
    sent = [c["body"]["packageDetail"]["shipDate"] for c in env.confirmations()]
    assert sent == ["2026-03-01T10:00:00Z", "2026-03-02T09:00:00Z", "2026-03-02T09:00:00Z"]


def test_the_kargo_bildir_form_refuses_a_far_future_date_in_turkish(env):  # noqa: F811
    from flask_amazon_tr.models import ImportedOrder
    from demo import db

    oid = env.order("AMZ-32")
    with env.ctx():
        order_id = db.session.scalar(sa.select(ImportedOrder.id).where(ImportedOrder.amazon_order_id == oid))
    client = env.app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    page = f"/admin/amazon/stores/{env.store_id}/shipments/{order_id}"
    token = csrf_from(client.get(page).get_data(as_text=True))
    client.post(page + "/read", data={"csrf_token": token})
    response = client.post(page, data={"csrf_token": token, "carrier": "Aras Kargo", "tracking_number": "A-1",
                                       "ship_date": "9999-12-31", "qty_31111111111111": "1"})
    assert response.status_code == 422
    assert "bugünden sonra olamaz" in response.get_data(as_text=True)
    assert env.confirmations() == []


# --- item 17: the shipments page in pages of 50 ------------------------------------------------------

def add_orders(app, count: int):
    from demo import db
    from flask_amazon_tr.models import ImportedOrder

    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with app.app_context():
        db.session.add_all(ImportedOrder(store_id=1, amazon_order_id=f"402-{i:07d}-0000000", shop_number=f"AMZ-{i}",
                                         state="ready", purchased_at=start + timedelta(hours=i))
                           for i in range(1, count + 1))
        db.session.commit()


def numbers_on(html: str) -> list[int]:
    return [int(n) for n in re.findall(r">AMZ-(\d+)</a>", html)]


def test_shipments_page_shows_every_order_in_pages_of_50(app, with_store):  # noqa: F811
    add_orders(app, 230)
    # every order, newest first
    first = with_store.get("/admin/amazon/stores/1/shipments?view=all").get_data(as_text=True)
    assert numbers_on(first) == list(range(230, 180, -1))
    assert "Sayfa 1 / 5" in first and "page=2" in first and "view=all" in first
    last = with_store.get("/admin/amazon/stores/1/shipments?view=all&page=5").get_data(as_text=True)
    assert numbers_on(last) == list(range(30, 0, -1))  # the oldest orders are reachable too
    assert "Sayfa 5 / 5" in last and "page=4" in last and "page=6" not in last
    seen = set()
    for page in range(1, 6):
        seen |= set(numbers_on(with_store.get(f"/admin/amazon/stores/1/shipments?page={page}").get_data(as_text=True)))
    assert seen == set(range(1, 231))
    # the default, Kargolanacaklar: with no ship-by deadline known, the longest waiting first
    urgent = with_store.get("/admin/amazon/stores/1/shipments").get_data(as_text=True)
    assert numbers_on(urgent) == list(range(1, 51))


def test_shipments_page_queries_do_not_grow_with_the_orders(app, with_store):  # noqa: F811
    from querycount import counting_queries
    from demo import db
    from flask_amazon_tr.models import ImportedOrder

    add_orders(app, 10)
    with app.app_context():
        engine = db.engine
    with counting_queries(engine) as few:
        assert with_store.get("/admin/amazon/stores/1/shipments").status_code == 200
    with app.app_context():
        db.session.add_all(ImportedOrder(store_id=1, amazon_order_id=f"403-{i:07d}-0000000", shop_number=f"AMZ-x{i}",
                                         state="ready") for i in range(120))
        db.session.commit()
    with counting_queries(engine) as many:
        assert with_store.get("/admin/amazon/stores/1/shipments?page=2").status_code == 200
    assert len(many) == len(few)


# --- the CSP in Chromium: no violation, htmx still swaps ---------------------------------------------

@pytest.mark.browser
def test_admin_pages_run_under_the_csp_without_a_violation(page, live_server):
    from playwright.sync_api import expect

    base = live_server.url
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(base + "/admin/amazon/")
    page.get_by_role("button", name="Yönetici olarak giriş yap").click()
    page.wait_for_url(base + "/admin/amazon/")
    page.goto(base + "/admin/amazon/stores/new")
    page.get_by_label("Mağaza Tanımı").fill("CSP Mağaza")
    page.get_by_label("Satıcı Kodu").fill("A1TRDEMOSATICI")
    page.get_by_role("button", name="Kaydet").click()
    assert page.get_by_text("mağazası eklendi").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('nav.side')).display") != "inline"  # demo CSS
    page.goto(base + "/admin/amazon/stores/1/products")
    page.locator("#atr-markup_percent").fill("50")
    expect(page.locator("#amazon-tr-price-example")).to_contain_text("150")  # htmx swapped the example
    page.goto(base + "/admin/amazon/")
    page.wait_for_timeout(300)
    assert violations == []


# --- the same on PostgreSQL, which also refuses NUL characters in text ------------------------------------

@pytest.fixture
def pg_admin(tmp_path, pg_url):
    from conftest import make_app
    from demo import db

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=pg_url)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    page = client.get("/admin/amazon/stores/new").get_data(as_text=True)
    client.post("/admin/amazon/stores/new", data={
        "csrf_token": csrf_from(page), "name": "Mağaza", "active": "1", "seller_id": "A1TRDEMOSATICI",
        "store_url": "", "order_import": "1", "product_update": "1", "auto_update_type": "all"})
    yield app, client
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_postgres_huge_ids_and_nul_characters_answer_in_turkish(pg_admin):
    app, client = pg_admin
    for rule in admin_rules(app):
        if rule.arguments and "GET" in rule.methods:
            assert client.get(with_ids(rule, HUGE)).status_code == 404, rule.rule
    assert client.get("/admin/amazon/stores/1/products?page=99999999999999999999").status_code == 400
    token = token_of(client)
    answers = [
        client.get("/admin/amazon/stores/1/products", query_string={"q": "a\x00b"}),
        client.post("/admin/amazon/stores/1", data={"csrf_token": token, "name": "Ma\x00ğaza", "active": "1",
                                                    "seller_id": "A1TRDEMOSATICI", "auto_update_type": "all"}),
        client.get("/admin/amazon/oauth/callback", query_string={"state": "x\x00", "spapi_oauth_code": "\x00"}),
        client.post("/admin/amazon/stores/1/orders/import-one", data={"csrf_token": token,
                                                                      "amazon_order_id": "402-\x00"}),
        client.post("/admin/amazon/stores/1/shipments/carriers", data={"csrf_token": token, "code_aras": "A\x00"}),
    ]
    for answer in answers:
        assert answer.status_code in (302, 400, 422), answer.request.path
        assert "Beklenmeyen" not in answer.get_data(as_text=True)
    assert answers[1].status_code == 422 and "kontrol karakter" in answers[1].get_data(as_text=True)


def test_an_unexpected_database_error_never_logs_its_row_values(app, with_store, caplog):  # noqa: F811
    """A real database refusal of a row carrying a person's data: the admin pages' last-resort handler
    logs the error's class, never the statement's values (which SQLAlchemy puts in the error's text)."""
    from sqlalchemy import text

    from demo import db

    secret = "Ayşe Yılmaz, Atatürk Cad. 5"
    with app.app_context():  # the database itself refuses the products settings' row
        db.session.execute(text("CREATE TRIGGER refuse_settings BEFORE INSERT ON amazon_tr_listing_settings "
                                "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END"))
        db.session.commit()
    token = token_of(with_store)
    caplog.set_level("ERROR")
    response = with_store.post("/admin/amazon/stores/1/products/settings", data={
        "csrf_token": token, "stock_buffer": "0", "max_quantity": "", "markup_percent": "0", "fixed_amount": "0",
        "rounding": "none", "default_product_type": secret})
    assert response.status_code == 500 and "Traceback" not in response.get_data(as_text=True)
    assert "IntegrityError" in caplog.text
    assert secret not in caplog.text and "Ayşe" not in caplog.text
