"""The Kargo bildirimi pages over the local Amazon: opening a page calls nobody, "Amazon'dan oku"
reads the order's lines, the "Kargo bildir" and carrier forms answer in Turkish and keep what was typed."""
from __future__ import annotations

from sqlalchemy import select

from conftest import csrf_from
from test_shipments import env  # noqa: F401  (the authorized store over the local Amazon)


def _admin(env):  # noqa: F811
    client = env.app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


def _order_id(env, amazon_order_id):  # noqa: F811
    from flask_amazon_tr.models import ImportedOrder
    from demo import db

    with env.ctx():
        return db.session.scalar(select(ImportedOrder.id).where(ImportedOrder.amazon_order_id == amazon_order_id))


def _snapshots(env):  # noqa: F811
    from flask_amazon_tr.models import ShipmentOrder
    from demo import db

    with env.ctx():
        return list(db.session.scalars(select(ShipmentOrder)))


def test_opening_the_order_page_calls_nobody_and_offers_to_read_amazon(env):  # noqa: F811
    order_id = _order_id(env, env.order("AMZ-10"))
    env.sandbox.state.clear_requests()
    html = _admin(env).get(f"/admin/amazon/stores/{env.store_id}/shipments/{order_id}").get_data(as_text=True)
    assert "Amazon&#39;dan oku" in html and 'name="tracking_number"' not in html
    assert env.sandbox.state.count() == 0 and _snapshots(env) == []


def test_order_page_says_in_turkish_when_amazons_lines_cannot_be_read(env):  # noqa: F811
    order_id = _order_id(env, env.order("AMZ-8"))
    env.sandbox.state.inject_fault("getOrder", "503", 100)
    client = _admin(env)
    page = f"/admin/amazon/stores/{env.store_id}/shipments/{order_id}"
    token = csrf_from(client.get(page).get_data(as_text=True))
    html = client.post(page + "/read", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "Amazon siparişinin satırları okunamadı:" in html
    assert "şu anda kullanılamıyor" in html  # a 503: Amazon's service is down, said as everywhere else
    assert "HTTP 503" not in html and "Traceback" not in html


def test_read_button_swaps_in_the_form_then_the_form_answers_in_turkish(env):  # noqa: F811
    oid = env.order("AMZ-11")
    order_id = _order_id(env, oid)
    client = _admin(env)
    page = f"/admin/amazon/stores/{env.store_id}/shipments/{order_id}"
    token = csrf_from(client.get(page).get_data(as_text=True))
    part = client.post(page + "/read", headers={"HX-Request": "true", "X-CSRFToken": token}).get_data(as_text=True)
    assert part.lstrip().startswith("{#") is False and 'id="amazon-tr-shipment-order"' in part
    assert 'hx-target="this"' in part and 'name="qty_31111111111111"' in part and "<html" not in part

    bad = client.post(page, data={"csrf_token": token, "carrier": "other", "carrier_other": "",
                                  "tracking_number": "", "ship_date": "dün", "qty_31111111111111": "iki"})
    html = bad.get_data(as_text=True)
    assert "Kargo firmasını seçin." in html and "Takip numarasını girin." in html
    assert "Kargo tarihini tarih olarak girin." in html and 'value="iki"' in html
    none = client.post(page, data={"csrf_token": token, "carrier": "aras", "tracking_number": "A-1"})
    assert "En az bir satırın adedini girin." in none.get_data(as_text=True)
    assert env.confirmations() == []

    good = client.post(page, data={"csrf_token": token, "carrier": "aras", "tracking_number": "A-1",
                                   "ship_date": "2026-03-02", "qty_32222222222222": "1"}, follow_redirects=True)
    assert "1 numaralı paket Amazon&#39;a bildirildi." in good.get_data(as_text=True)
    [call] = env.confirmations()
    assert call["body"]["packageDetail"]["orderItems"] == [{"orderItemId": "32222222222222", "quantity": 1}]
    assert call["body"]["packageDetail"]["shipDate"] == "2026-03-02T09:00:00Z"


def test_carrier_form_refuses_too_long_codes_in_turkish_and_saves_good_ones(env):  # noqa: F811
    from flask_amazon_tr.services import shipments

    client = _admin(env)
    page = f"/admin/amazon/stores/{env.store_id}/shipments"
    token = csrf_from(client.get(page).get_data(as_text=True))
    bad = client.post(page + "/carriers", data={"csrf_token": token, "code_aras": "X" * 101})
    html = bad.get_data(as_text=True)
    assert "Kargo firmaları kaydedilmedi" in html and "En fazla 100 karakter kullanın." in html
    assert 'value="' + "X" * 101 + '"' in html
    good = client.post(page + "/carriers", data={"csrf_token": token, "code_aras": "Aras Kargo", "name_ups": ""})
    assert good.status_code == 302
    with env.ctx():
        carriers = {c["key"]: c for c in shipments.carrier_map(env.store_id)}
        assert carriers["aras"]["code"] == "Aras Kargo" and carriers["ups"]["name"] == "UPS"
        # A bad map is a settings error, not a refused shipment.
        try:
            shipments.save_carrier_map(env.store_id, {"dhl": {"name": "D" * 101}})
        except shipments.InvalidSettings as exc:
            assert set(exc.errors) == {"dhl"}
        else:
            raise AssertionError("a 101-character carrier name was saved")
