"""The admin side of Sipariş Aktarımı: the store page's button and progress, the history page, the commands."""
from __future__ import annotations

import re
from html import unescape
import time

import pytest

from conftest import LiveServer, csrf_from
from flask_amazon_tr.i18n import in_turkish, lazy_gettext
from flask_amazon_tr.services import orders as order_service
from test_orders_helpers import (  # noqa: F401  (fixtures)
    add_store,
    imported,
    oapp,
    runs_of,
    seller_orders,
    shop_orders,
    store_id,
    use_demo_skus,
)


@pytest.fixture
def client(oapp):
    client = oapp.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


def wait_for_run(app, store, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = runs_of(app, store)
        if runs and runs[-1].status != "running":
            return runs[-1]
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def test_store_page_button_starts_import_and_progress_polls_then_summarizes(oapp, client, sandbox, store_id):
    page = client.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)
    assert "Siparişleri şimdi aktar" in page
    token = csrf_from(page)
    answer = client.post(f"/admin/amazon/stores/{store_id}/orders/import", headers={
        "HX-Request": "true", "X-CSRFToken": token})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="amazon-tr-orders"' in html and 'hx-target="this"' in html
    run_id = int(re.search(r'id="amazon-tr-run-(\d+)"', html).group(1))
    run = wait_for_run(oapp, store_id)
    assert run.id == run_id and run.status == "done"
    progress = client.get(f"/admin/amazon/stores/{store_id}/orders/runs/{run_id}").get_data(as_text=True)
    assert "hx-trigger" not in progress  # finished: it stops polling
    assert "Aktarım tamamlandı" in progress
    assert f'data-count="created">{len(seller_orders(sandbox))}<' in progress


def test_running_progress_polls_every_second(oapp, client, sandbox, store_id):
    with oapp.app_context():
        from flask_amazon_tr.services import runs

        run = runs.start_run(store_id, "orders")
        runs.progress(run, pages=2, created=150, waits=1)
        run_id = run.id
    html = client.get(f"/admin/amazon/stores/{store_id}/orders/runs/{run_id}").get_data(as_text=True)
    assert 'hx-trigger="load delay:1s"' in html and "<progress" in html
    assert 'data-count="pages">2<' in html and 'data-count="created">150<' in html
    assert 'data-count="waits">1<' in html


def test_plain_post_without_javascript_goes_to_the_history_page(oapp, client, sandbox, store_id):
    token = csrf_from(client.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True))
    answer = client.post(f"/admin/amazon/stores/{store_id}/orders/import", data={"csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/stores/{store_id}/orders")
    wait_for_run(oapp, store_id)
    html = client.get(f"/admin/amazon/stores/{store_id}/orders").get_data(as_text=True)
    assert "Sipariş Aktarımı" in html and "Tamamlandı" in html
    assert "<svg" in html and "<rect" in html  # orders per day
    # the chart counts by Amazon's purchase date (a Turkish day), not by the moment of the import
    from collections import Counter
    from flask_amazon_tr.spapi.constants import MARKETPLACE_TZ
    days = Counter(o.purchased_at.astimezone(MARKETPLACE_TZ).date().isoformat() for o in imported(oapp, store_id)
                       if o.state != "skipped")
    bars = dict(re.findall(r'data-day="([0-9-]+)" data-count="([0-9]+)"', html))
    assert {d: int(n) for d, n in bars.items() if int(n)} == {d: n for d, n in days.items() if d in bars}
    assert f"Son 30 günde Amazon'da {sum(int(n) for n in bars.values())} sipariş verildi" in unescape(html)


def test_passive_store_button_says_why_and_calls_nobody(oapp, client, sandbox):
    store = add_store(oapp, sandbox.url, active=False, name="Pasif Mağaza")
    sandbox.state.clear_requests()
    html = client.get(f"/admin/amazon/stores/{store}").get_data(as_text=True)
    assert "Mağaza pasif durumda" in html and "Siparişleri şimdi aktar" not in html
    token = csrf_from(html)
    answer = client.post(f"/admin/amazon/stores/{store}/orders/import", headers={
        "HX-Request": "true", "X-CSRFToken": token}).get_data(as_text=True)
    assert "Mağaza pasif durumda" in answer
    assert sandbox.state.count() == 0 and runs_of(oapp, store) == []


def test_history_shows_failed_run_with_amazons_message(oapp, client, sandbox, store_id):
    with oapp.app_context():
        from flask_amazon_tr.services import runs

        run = runs.start_run(store_id, "orders")
        runs.finish_run(run, error=in_turkish(lazy_gettext("Amazon rejected the request.")) +
                        " Amazon'un yanıtı: [searchOrders HTTP 400 InvalidInput] Invalid date-time 'x'.")
    html = client.get(f"/admin/amazon/stores/{store_id}/orders").get_data(as_text=True)
    assert "Başarısız" in html and "Amazon isteği reddetti." in html and "Invalid date-time" in html


def test_reimport_from_date_and_import_by_number(oapp, client, sandbox, store_id):
    order = sandbox.state.add_order(status="UNSHIPPED")
    use_demo_skus(sandbox)
    page = client.get(f"/admin/amazon/stores/{store_id}/orders").get_data(as_text=True)
    assert "Tarihten itibaren yeniden aktar" in page and "Amazon sipariş numarasıyla aktar" in page
    token = csrf_from(page)
    answer = client.post(f"/admin/amazon/stores/{store_id}/orders/import-one",
                         data={"csrf_token": token, "amazon_order_id": order["orderId"]}, follow_redirects=True)
    assert f"{order['orderId']} numaralı sipariş aktarıldı" in answer.get_data(as_text=True)
    assert [o["number"] for o in shop_orders(oapp)] == ["AMZ-" + order["orderId"]]
    bad = client.post(f"/admin/amazon/stores/{store_id}/orders/import-one",
                      data={"csrf_token": token, "amazon_order_id": "123"}, follow_redirects=True)
    assert "Amazon sipariş numarası değil" in bad.get_data(as_text=True)
    sandbox.state.clear_requests()
    client.post(f"/admin/amazon/stores/{store_id}/orders/import",
                data={"csrf_token": token, "since": "2020-01-01"})
    wait_for_run(oapp, store_id)
    [request] = [r for r in sandbox.state.requests if r["operation"] == "searchOrders"]
    assert request["query"]["lastUpdatedAfter"] == "2019-12-31T21:00:00Z"  # midnight in İstanbul
    assert len(shop_orders(oapp)) == len(seller_orders(sandbox))


def test_settings_form_prefix_and_unknown_sku_policy(oapp, client, sandbox, store_id):
    token = csrf_from(client.get(f"/admin/amazon/stores/{store_id}/orders").get_data(as_text=True))
    bad = client.post(f"/admin/amazon/stores/{store_id}/orders/settings", data={
        "csrf_token": token, "prefix_mode": "own", "number_prefix": "ŞÇ Ğ", "unknown_sku": "skip"})
    assert bad.status_code == 422 and "Ön ek için en fazla 20 harf" in bad.get_data(as_text=True)
    good = client.post(f"/admin/amazon/stores/{store_id}/orders/settings", data={
        "csrf_token": token, "prefix_mode": "own", "number_prefix": "AMZTR-", "unknown_sku": "unmatched"})
    assert good.status_code == 302
    with oapp.app_context():
        settings = order_service.settings_for(store_id)
        assert (settings.number_prefix, settings.unknown_sku) == ("AMZTR-", "unmatched")


def test_settings_and_reimport_forms_keep_what_was_typed_and_answer_in_turkish(oapp, client, sandbox, store_id):
    token = csrf_from(client.get(f"/admin/amazon/stores/{store_id}/orders").get_data(as_text=True))
    bad = client.post(f"/admin/amazon/stores/{store_id}/orders/settings", data={
        "csrf_token": token, "prefix_mode": "own", "number_prefix": "ŞÇ Ğ", "unknown_sku": "hepsi"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="ŞÇ Ğ"' in html
    assert "Ön ek için en fazla 20 harf" in html and "Bilinmeyen stok kodlu siparişlere ne yapılacağını seçin." in html
    # The shop's default prefix ignores whatever is left in the prefix box.
    kept = client.post(f"/admin/amazon/stores/{store_id}/orders/settings", data={
        "csrf_token": token, "prefix_mode": "default", "number_prefix": "ŞÇ Ğ", "unknown_sku": "skip"})
    assert kept.status_code == 302
    with oapp.app_context():
        assert order_service.settings_for(store_id).number_prefix is None
    sandbox.state.clear_requests()
    wrong_day = client.post(f"/admin/amazon/stores/{store_id}/orders/import", follow_redirects=True,
                            data={"csrf_token": token, "since": "31.02.2025"})  # gg.aa.yyyy, no such day
    assert "Tarihi gün, ay ve yıl olarak girin." in wrong_day.get_data(as_text=True)
    assert sandbox.state.count() == 0 and runs_of(oapp, store_id) == []


def test_cli_sync_orders_and_purge(oapp, sandbox, store_id):
    runner = oapp.test_cli_runner()
    result = runner.invoke(args=["amazon", "sync", "orders", str(store_id)])
    assert result.exit_code == 0, result.output
    assert f"{len(seller_orders(sandbox))} yeni" in result.output
    assert len(shop_orders(oapp)) == len(seller_orders(sandbox))
    by_name = runner.invoke(args=["amazon", "sync", "orders", "Amazon Türkiye Mağazam"])
    assert by_name.exit_code == 0 and "0 yeni" in by_name.output
    missing = runner.invoke(args=["amazon", "sync", "orders", "yok"])
    assert missing.exit_code != 0
    purge = runner.invoke(args=["amazon", "purge"])
    assert purge.exit_code == 0
    # the seed's orders shipped or cancelled more than 30 days ago are purged now
    gone = sum(1 for r in imported(oapp) if r.personal_data_purged_at is not None)
    assert f"{gone} " in purge.output


def test_browser_button_shows_live_progress_then_summary(oapp, sandbox, store_id, page):
    server = LiveServer(oapp).start()
    try:
        page.goto(f"{server.url}/admin/login?next=/admin/amazon/stores/{store_id}")
        page.get_by_role("button", name="Yönetici olarak giriş yap").click()
        page.get_by_role("button", name="Siparişleri şimdi aktar").click()
        page.get_by_text("Aktarım tamamlandı").wait_for(timeout=20_000)
        created = page.locator('[data-count="created"]').inner_text()
        assert int(created) == len(seller_orders(sandbox))
        # Once the run is over the box reloads itself: the button works again without a page reload.
        button = page.get_by_role("button", name="Siparişleri şimdi aktar")
        page.wait_for_function("() => !document.querySelector('#amazon-tr-orders button[type=submit]').disabled",
                               timeout=10_000)
        assert button.is_enabled()
    finally:
        server.stop()
