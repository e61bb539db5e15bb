"""The order history page in Turkish and true after every htmx action (issue 17 §1–§3), without a browser:
labels for every code, the chart by purchase date with its axes, out-of-band parts in every answer
from the history page, and a failed lookup by number shown by its form, never as a failed import."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from conftest import csrf_from
from flask_amazon_tr.services import orders as order_service
from flask_amazon_tr.services import runs
from test_orders_helpers import oapp, runs_of, seller_orders, store_id, use_demo_skus  # noqa: F401  (fixtures)
from test_orders_views import client, wait_for_run  # noqa: F401  (fixtures)

#: Codes that must never reach the page's text (Amazon's and the shop's own).
RAW = ["UNSHIPPED", "PARTIALLY_SHIPPED", "PENDING_AVAILABILITY", "CANCELLED", "SHIPPED", "MERCHANT",
       "partially_shipped", "merchant", ">done<", ">failed<", ">running<", ">ready<", ">amazon<", ">manual<"]
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def page_text(html: str) -> str:
    """What a reader sees: no tags, no attributes (data-* attributes may hold codes on purpose)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "><", html))


def history(client, store_id, **headers):
    return client.get(f"/admin/amazon/stores/{store_id}/orders", headers=headers).get_data(as_text=True)


def hx(token, store_id):
    return {"HX-Request": "true", "X-CSRFToken": token,
            "HX-Current-URL": f"http://localhost/admin/amazon/stores/{store_id}/orders"}


def test_history_page_has_no_raw_code_or_iso_time_in_any_state(oapp, client, sandbox, store_id):
    st = sandbox.state
    for status in ("UNSHIPPED", "PARTIALLY_SHIPPED", "PENDING_AVAILABILITY", "PENDING", "SHIPPED", "CANCELLED"):
        st.add_order(status=status)
    st.add_order(status="SHIPPED", fulfilled_by="AMAZON")
    use_demo_skus(sandbox)
    st.add_order({"orderItems": [{**next(iter(st.orders.values()))["orderItems"][0],
                                  "product": {"sellerSku": "NOT-IN-SHOP", "asin": "B0TRXXXXXX"}}]})
    with oapp.app_context():
        assert order_service.import_orders(store_id).status == "done"
        runs.start_run(store_id, "orders")  # one left running: its row must read "Sürüyor"
    text = page_text(history(client, store_id))
    for code in RAW:
        assert code not in text, code
    assert not ISO.search(text), ISO.search(text).group(0)
    for word in ("Kargolanmadı", "Kısmen kargolandı", "Amazon gönderiyor (FBA)", "Satıcı gönderiyor", "Tamamlandı",
                 "Sürüyor", "Buton", "İptal edildi"):
        assert word in text, word


def test_chart_counts_by_purchase_date_and_has_both_axes(oapp, client, sandbox, store_id):
    st = sandbox.state
    now = st.now()
    st.orders.clear()
    for days_ago, count in ((0, 2), (3, 1), (10, 4)):
        for _ in range(count):
            st.add_order(status="UNSHIPPED", created=now - timedelta(days=days_ago, minutes=5))
    st.add_order(status="UNSHIPPED", created=now - timedelta(days=90))  # outside the 30 days
    use_demo_skus(sandbox)
    with oapp.app_context():
        assert order_service.import_orders(store_id, since=now - timedelta(days=120)).status == "done"
    html = history(client, store_id)
    counts = sorted(int(n) for n in re.findall(r'data-count="([0-9]+)"><title>', html) if int(n))
    assert counts == [1, 2, 4]  # all imported just now, yet spread over their purchase days
    chart = html[html.index('id="amazon-tr-orders-chart"'):]
    chart = chart[:chart.index("</section>")]
    assert "Sipariş tarihi" in chart and ">Siparişler<" in chart  # axis titles
    assert re.search(r'class="amazon-tr-chart__label">4<', chart)  # the top of the y axis
    assert len(re.findall(r'text-anchor="middle" class="amazon-tr-chart__label"', chart)) >= 4  # dates on x
    assert "7 sipariş verildi" in unescape(chart) and "<table" in chart  # the same numbers as a table


def test_import_from_the_history_page_answers_every_part_out_of_band(oapp, client, sandbox, store_id):
    use_demo_skus(sandbox)
    token = csrf_from(history(client, store_id))
    html = client.post(f"/admin/amazon/stores/{store_id}/orders/import", headers=hx(token, store_id)).get_data(
        as_text=True)
    assert html.lstrip().startswith('<section class="amazon-tr-card amazon-tr-orders" id="amazon-tr-orders"')
    for part in ("amazon-tr-orders-chart", "amazon-tr-orders-skipped", "amazon-tr-orders-runs",
                 "amazon-tr-orders-recent"):
        assert re.search(rf'id="{part}"[^>]*hx-swap-oob="true"', html), part
    assert 'data-status="running"' in html or 'data-status="done"' in html  # the new run's row is there
    wait_for_run(oapp, store_id)
    # the event the finished progress fires: the box reads itself again, with the other parts
    box = client.get(f"/admin/amazon/stores/{store_id}/orders/box", headers=hx(token, store_id)).get_data(
        as_text=True)
    assert 'data-status="running"' not in box and 'data-status="done"' in box
    assert len(re.findall(r"<tr data-order=", box)) == min(20, len(seller_orders(sandbox)))
    # the store page's box alone: no part of another page
    alone = client.get(f"/admin/amazon/stores/{store_id}/orders/box", headers={
        "HX-Request": "true", "HX-Current-URL": f"http://localhost/admin/amazon/stores/{store_id}"}).get_data(
        as_text=True)
    assert "hx-swap-oob" not in alone and 'id="amazon-tr-orders"' in alone


@pytest.mark.parametrize("number, words", [
    ("407-0000000-0000000", "bulunamadı"),
    ("12345", "Amazon sipariş numarası değil"),
    ("", "Amazon sipariş numarasını girin"),
])
def test_failed_lookup_is_shown_by_its_form_not_as_a_failed_import(oapp, client, sandbox, store_id, number, words):
    token = csrf_from(history(client, store_id))
    html = client.post(f"/admin/amazon/stores/{store_id}/orders/import-one", headers=hx(token, store_id),
                       data={"amazon_order_id": number}).get_data(as_text=True)
    result = html[:html.index("</div>", html.index('id="amazon-tr-lookup-result"'))]
    assert 'id="amazon-tr-lookup-result"' in result and words in unescape(result)
    assert "autofocus" in result  # focus goes to the answer
    assert runs_of(oapp, store_id) == []  # nothing in the run history
    page = page_text(history(client, store_id))
    assert "Başarısız" not in page and "Henüz sipariş aktarımı çalışmadı" in page


def test_import_one_updates_the_list_and_the_runs_with_the_answer(oapp, client, sandbox, store_id):
    order = sandbox.state.add_order(status="UNSHIPPED")
    use_demo_skus(sandbox)
    token = csrf_from(history(client, store_id))
    html = client.post(f"/admin/amazon/stores/{store_id}/orders/import-one", headers=hx(token, store_id),
                       data={"amazon_order_id": order["orderId"]}).get_data(as_text=True)
    assert f"{order['orderId']} numaralı sipariş aktarıldı" in html
    recent = html[html.index('id="amazon-tr-orders-recent"'):]
    assert f'data-order="{order["orderId"]}"' in recent and "Kargolanmadı" in recent
    assert re.search(r'id="amazon-tr-orders"[^>]*hx-swap-oob="true"', html)
    assert 'data-status="done"' in html[html.index('id="amazon-tr-orders-runs"'):]


def test_reimport_form_answers_by_itself_in_turkish(oapp, client, sandbox, store_id):
    token = csrf_from(history(client, store_id))
    for since, words in (("", "Yeniden aktarımın başlayacağı tarihi seçin"), ("31.02.2024", "gün, ay ve yıl")):
        html = client.post(f"/admin/amazon/stores/{store_id}/orders/import", headers=hx(token, store_id),
                           data={"mode": "since", "since": since}).get_data(as_text=True)
        result = html[:html.index("</div>", html.index('id="amazon-tr-reimport-result"'))]
        assert words.lower() in unescape(result).lower(), result
    assert runs_of(oapp, store_id) == []


def test_import_one_while_another_import_runs_says_so_by_its_form(oapp, client, sandbox, store_id):
    order = sandbox.state.add_order(status="UNSHIPPED")
    with oapp.app_context():
        runs.acquire_lease(store_id, "orders")  # another import holds the store
        runs.start_run(store_id, "orders")
    token = csrf_from(history(client, store_id))
    html = client.post(f"/admin/amazon/stores/{store_id}/orders/import-one", headers=hx(token, store_id),
                       data={"amazon_order_id": order["orderId"]}).get_data(as_text=True)
    result = html[:html.index("</div>", html.index('id="amazon-tr-lookup-result"'))]
    assert "sipariş aktarımı sürüyor" in unescape(result) and "None" not in result
    assert sandbox.state.count("getOrder") == 0
