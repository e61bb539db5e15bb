"""Issue 17 on the products page: Turkish all the way, parts that stay true after an action, paging,
product names, Amazon's product types for Türkiye, the run history."""
from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest
from conftest import csrf_from
from test_products_support import build_env, read_inventory_first, seed_demo_catalog

RAW_CODES = re.compile(r"\b(BUYABLE|DISCOVERABLE|IN_QUEUE|IN_PROGRESS|FATAL|DONE|CANCELLED|ACCEPTED|INVALID|"
                       r"LISTING_OFFER_ONLY|HTTP \d{3}|feeds?|done|running|failed)\b")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@pytest.fixture
def env(tmp_path, sandbox):
    seed_demo_catalog(sandbox.state)
    return build_env(tmp_path, sandbox)


@pytest.fixture
def admin(env):
    client = env.app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


class _Text(HTMLParser):
    """The text a person reads: no attributes, no <small class="amazon-tr-code"> (the code in small print)."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0
        self.inputs, self.labels, self.labelled_by_wrap = [], set(), 0
        self._in_label = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.skip or (tag == "small" and "amazon-tr-code" in (a.get("class") or "")) or tag in ("script", "style"):
            self.skip += 1
        if tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.labels.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.inputs.append((a.get("id"), a.get("aria-label"), self._in_label > 0))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.skip and tag in ("small",):
            self.skip -= 1

    def handle_endtag(self, tag):
        if tag == "label":
            self._in_label -= 1
        if self.skip and tag in ("small", "script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def read(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def assert_turkish(html: str) -> None:
    page = read(html)
    text = " ".join(page.parts)
    assert not RAW_CODES.search(text), RAW_CODES.search(text).group(0)
    assert not ISO_TIME.search(text)
    unlabelled = [i for i in page.inputs if not (i[0] in page.labels or i[1] or i[2])]
    assert unlabelled == []


def _push_and_wait(env, admin, html):
    resp = admin.post(f"/admin/amazon/stores/{env.store_id}/products/push", data={"csrf_token": csrf_from(html)},
                      headers={"HX-Request": "true"})
    assert resp.status_code == 200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = admin.get(f"/admin/amazon/stores/{env.store_id}/products/status").get_data(as_text=True)
        if "amazon-tr-links-" in status:  # the run ended: the list comes out of band (issue 17 §2)
            return status
        time.sleep(0.2)
    raise AssertionError("the push did not end")


def test_the_sandbox_lists_amazons_product_types_in_turkish(env):
    from flask_amazon_tr.services.amazon import client_for
    from flask_amazon_tr.models import Store

    from demo import db

    with env.ctx():
        client = client_for(db.session.get(Store, env.store_id))
        found = client.search_definitions_product_types()
        names = {t["name"]: t["displayName"] for t in found["productTypes"]}
        assert names["HOME"] == "Ev" and names["GROCERY"] == "Gıda"
        assert found["productTypeVersion"]
        only = client.search_definitions_product_types(keywords=["mutfak"])
        assert [t["name"] for t in only["productTypes"]] == ["KITCHEN"]
    [request] = env.requests("searchDefinitionsProductTypes")[:1]
    assert request["status"] == 200 and request["query"]["locale"] == "tr_TR"
    assert env.sb.response_problems == []


def test_product_type_is_chosen_from_amazons_list_with_turkish_names(env, admin):
    url = f"/admin/amazon/stores/{env.store_id}/products"
    html = admin.get(url).get_data(as_text=True)
    admin.get(url)
    assert env.sb.count("searchDefinitionsProductTypes") == 1  # kept: not one call per render
    assert '<select id="atr-default-type" name="default_product_type">' in html
    assert re.search(r'<option value="GROCERY"\s*>Gıda \(GROCERY\)</option>', html)
    resp = admin.post(f"{url}/settings", data={"csrf_token": csrf_from(html), "stock_buffer": "0",
                                              "markup_percent": "12,5", "fixed_amount": "0", "rounding": "none",
                                              "default_product_type": "KITCHEN", "category:Gıda": "GROCERY"})
    assert resp.status_code == 302
    html = admin.get(url).get_data(as_text=True)
    assert re.search(r'<option value="KITCHEN" selected>Mutfak \(KITCHEN\)</option>', html)
    assert "%12,5" in html  # a Turkish percentage in the worked example
    assert_turkish(html)


def test_page_after_a_push_names_products_and_speaks_turkish(env, admin):
    read_inventory_first(env)
    url = f"/admin/amazon/stores/{env.store_id}/products"
    html = admin.get(url).get_data(as_text=True)
    status = _push_and_wait(env, admin, html)
    assert "tamamlandı" in status
    html = admin.get(url).get_data(as_text=True)
    assert "Türk Kahvesi 250 g" in html and "DEMO-0001" in html  # the name beside the SKU
    assert '<details class="amazon-tr-menu">' in html and "<summary" in html  # row actions in a menu
    assert "Güncelleme geçmişi" in html and "Buton" in html  # the run history, who started it
    assert_turkish(html)


def test_amazon_issue_named_by_turkish_titles_and_only_turkish_messages(env):
    from flask_amazon_tr.services.listings.issues import issue_html

    titles = {"brand": "Marka Adı", "item_name": "Ürün Adı"}
    with env.ctx():
        english = str(issue_html({"code": "90220", "severity": "ERROR", "categories": ["MISSING_ATTRIBUTE"],
                                  "attributeNames": ["brand"], "message": "'brand' is required but not supplied."},
                                 titles))
        turkish = str(issue_html({"code": "90220", "severity": "ERROR", "categories": ["MISSING_ATTRIBUTE"],
                                  "attributeNames": ["item_name"],
                                  "message": "'item_name' zorunludur ancak gönderilmedi."}, titles))
    assert "required" not in english and 'Marka Adı <small class="amazon-tr-code">brand</small>' in english
    assert "Amazon ürünün sahip olmadığı bir bilgiyi istiyor" in english and "Amazon kodu 90220" in english
    assert "Amazon&#39;un mesajı: &#39;item_name&#39; zorunludur ancak gönderilmedi." in turkish
    assert "Ürün Adı" in turkish
    with env.ctx():
        refused = str(issue_html({"code": "InvalidInput", "severity": "ERROR", "requestId": "abc-123",
                                  "message": "Request has missing or invalid parameters."}, titles))
    assert "invalid" not in refused and "abc-123" in refused and "Amazon bu üründe bir sorun bildirdi" in refused


def test_listings_calls_ask_amazon_for_turkish_issues(env, admin):
    read_inventory_first(env)
    from flask_amazon_tr.services.listings import push_products

    with env.ctx():
        push_products(env.store_id, skus=["DEMO-0001", "DEMO-0002"])
    calls = [r for op in ("putListingsItem", "patchListingsItem", "getListingsItem", "searchListingsItems")
             for r in env.requests(op)]
    assert calls and all(r["query"].get("issueLocale") == "tr_TR" for r in calls)


def _row_id(html, sku):
    row = html[html.index(f'data-sku="{sku}"') - 120:]
    return re.search(r'id="amazon-tr-link-(\d+)"', row).group(1)


def _oob(html, element_id):
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*hx-swap-oob="true"', html)
    assert match, f"no out-of-band {element_id}"
    start = match.start()
    return html[start:html.index(f"</{match.group(1)}>", start)]


def test_a_row_action_re_renders_the_counts_and_the_history(env, admin):
    from flask_amazon_tr.services.listings import state_counts

    read_inventory_first(env)
    url = f"/admin/amazon/stores/{env.store_id}/products"
    html = admin.get(url).get_data(as_text=True)
    _push_and_wait(env, admin, html)
    html = admin.get(url).get_data(as_text=True)
    link_id = _row_id(html, "DEMO-0002")
    answer = admin.post(f"{url}/row/unlink", data={"csrf_token": csrf_from(html), "link": link_id},
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    counts = _oob(answer, f"amazon-tr-product-filter-{env.store_id}")
    with env.ctx():
        now = state_counts(env.store_id)
    assert f"bağlantı kaldırıldı ({now['unlinked']})" in counts
    assert now["unlinked"] == 1
    answer = admin.post(f"{url}/row/link", data={"csrf_token": csrf_from(html), "link": link_id},
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'role="status" tabindex="-1" autofocus data-amazon-tr-focus' in answer  # focus goes to the result
    history = _oob(answer, f"amazon-tr-product-runs-{env.store_id}")
    assert history.count('<span class="amazon-tr-badge') == 2  # the whole push, and Bağla's own
    _oob(answer, f"amazon-tr-push-{env.store_id}")
    with env.ctx():
        after = state_counts(env.store_id)
    assert after.get("unlinked", 0) == 0
    assert_turkish(answer)


def test_the_end_of_a_push_re_renders_the_linked_products(env, admin):
    read_inventory_first(env)
    url = f"/admin/amazon/stores/{env.store_id}/products"
    html = admin.get(url).get_data(as_text=True)
    assert "DEMO-0001" not in html
    last = _push_and_wait(env, admin, html)
    links = _oob(last, f"amazon-tr-links-{env.store_id}")
    assert "DEMO-0001" in links and "Türk Kahvesi 250 g" in links
    assert 'aria-live="polite"' in links
    _oob(last, f"amazon-tr-product-runs-{env.store_id}")


def test_paging_at_fifty_rows(env, admin):
    from flask_amazon_tr.models import ListingLink
    from demo import db

    with env.ctx():
        db.session.add_all([ListingLink(store_id=env.store_id, sku=f"PG-{i:04d}", state="pending", issues_json="[]")
                            for i in range(120)])
        db.session.commit()
    url = f"/admin/amazon/stores/{env.store_id}/products"
    html = admin.get(url).get_data(as_text=True)
    assert html.count('class="amazon-tr-link ') == 50 and "Sayfa 1 / 3" in html
    assert "120 üründen 1–50" in html
    last = admin.get(f"{url}?page=3").get_data(as_text=True)
    assert last.count('class="amazon-tr-link ') == 20 and "PG-0119" in last
    assert admin.get(f"{url}?page=x").status_code == 400


def test_preview_and_its_verdicts_speak_turkish(env, admin):
    read_inventory_first(env)
    url = f"/admin/amazon/stores/{env.store_id}/products/preview"
    for update_type in ("all", "stock_price", "stock"):
        html = admin.get(f"{url}?type={update_type}").get_data(as_text=True)
        assert 'class="amazon-tr-scroll"' in html
        assert_turkish(html)
    verdicts = admin.get(f"{url}/verdicts?type=all").get_data(as_text=True)
    assert_turkish(verdicts)


def test_a_failed_feed_names_its_state_in_turkish(env):
    from flask_amazon_tr.services.listings.issues import issue_html, our_issue
    from flask_amazon_tr.views.labels import feed_status

    with env.ctx():
        text = str(issue_html(our_issue("feed_failed", status="FATAL"), {}, feed_status=feed_status))
    assert "FATAL" not in text and "Amazon tümünü reddetti" in text and "toplu gönderim" in text


def test_without_amazons_list_the_product_type_is_typed_and_nothing_is_asked(tmp_path, sandbox):
    seed_demo_catalog(sandbox.state)
    env = build_env(tmp_path, sandbox, active=False)  # a passive store makes no call at all
    client = env.app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    html = client.get(f"/admin/amazon/stores/{env.store_id}/products").get_data(as_text=True)
    assert env.sb.count("searchDefinitionsProductTypes") == 0
    assert "ürün tipi listesi şu anda okunamadı" in html
    assert '<input id="atr-default-type" name="default_product_type"' in html
    assert_turkish(html)


def test_a_page_with_amazon_failing_still_renders_and_asks_again_later(env, admin):
    """Titles and the product type list come from Amazon; when it fails the page shows codes, once."""
    from flask_amazon_tr.models import ListingLink
    from demo import db

    with env.ctx():
        db.session.add(ListingLink(store_id=env.store_id, sku="ISSUE-1", state="error", product_type="HOME",
                                   issues_json='[{"code": "90220", "severity": "ERROR", "attributeNames": ["brand"],'
                                               ' "categories": ["MISSING_ATTRIBUTE"], "message": "x"}]'))
        db.session.commit()
    env.sb.inject_fault("getDefinitionsProductType", kind="500", count=10)
    env.sb.inject_fault("searchDefinitionsProductTypes", kind="500", count=10)
    url = f"/admin/amazon/stores/{env.store_id}/products"
    first = admin.get(url)
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert '<small class="amazon-tr-code">brand</small>' in html and "Marka Adı" not in html
    assert "ürün tipi listesi şu anda okunamadı" in html
    asked = env.sb.count("getDefinitionsProductType") + env.sb.count("searchDefinitionsProductTypes")
    assert admin.get(url).status_code == 200
    assert env.sb.count("getDefinitionsProductType") + env.sb.count("searchDefinitionsProductTypes") == asked
