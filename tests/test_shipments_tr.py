"""Kargo bildirimi as a Turkish seller meets it on Amazon: carriers from Amazon's list, unpaid (Pending)
orders refused before any call, the ship date of a bare day, a revoked grant named as such, a buyer's
cancellation request, and the scheduler's shipments tick from the command line."""
from __future__ import annotations

import pytest
from test_shipments import Env, env  # noqa: F401  (the store authorized at the local Amazon)
from test_shipments_views import _admin

from flask_amazon_tr.spapi import InvalidInputError


def _sent(env: Env) -> list[dict]:
    return [c["body"]["packageDetail"] for c in env.confirmations()]


@pytest.mark.parametrize("shop_name, code, name", [
    ("Yurtiçi Kargo", "Yurtiçi Kargo", None),
    ("YURTICI", "Yurtiçi Kargo", None),
    ("Sürat Kargo", "Sürat Kargo", None),
    ("surat kargo", "Sürat Kargo", None),
    ("Horoz Lojistik", "Horoz Lojistik", None),
    ("DHL Kargo", "DHL Kargo", None),
    ("DHL", "DHL", None),
    ("Geopost Kargo", "Geopost Kargo", None),
    ("HepsiJet", "Other", "HepsiJet"),
    ("Kolay Gelsin", "Other", "Kolay Gelsin"),
    ("Trendyol Express", "Other", "Trendyol Express"),
    ("Kargoist", "Other", "Kargoist"),
])
def test_carriers_on_amazons_list_go_with_their_code_the_rest_as_other_with_the_name(env, shop_name, code, name):
    from flask_amazon_tr.services.shipments import record_shipment

    env.order("AMZ-1")
    with env.ctx():
        package = record_shipment("AMZ-1", shop_name, "TRK-1", None, [("KAHVE-1", 1)])
        assert package.state == "confirmed", package.last_message
    [detail] = _sent(env)
    assert detail["carrierCode"] == code
    assert detail.get("carrierName") == name


def test_the_sandbox_refuses_a_carrier_code_amazon_does_not_list(env):
    from flask_amazon_tr.services.amazon import calling_amazon
    from flask_amazon_tr.models import Store
    from demo import db

    oid = env.order("AMZ-1")
    detail = {"packageReferenceId": "1", "carrierCode": "Yurtici", "trackingNumber": "YK-1",
              "shipDate": "2026-03-02T08:00:00Z", "orderItems": [{"orderItemId": "32222222222222", "quantity": 1}]}
    with env.ctx():
        with calling_amazon(db.session.get(Store, env.store_id), max_retries=0) as client:
            with pytest.raises(InvalidInputError) as refused:
                client.confirm_shipment(oid, package_detail=detail)
            assert "carrierCode" in str(refused.value)
            client.confirm_shipment(oid, package_detail=dict(detail, carrierCode="Yurtiçi Kargo"))
    assert env.amazon(oid)["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"


def test_the_carrier_list_is_a_choice_from_amazons_list_and_other_only_for_unlisted_carriers(env):
    from flask_amazon_tr.models.shipments import ShipmentSettings
    from flask_amazon_tr.services.shipments import InvalidSettings, carrier_map, record_shipment, save_carrier_map
    from demo import db

    env.order("AMZ-1")
    with env.ctx():
        with pytest.raises(InvalidSettings) as refused:
            save_carrier_map(env.store_id, {"aras": {"code": "ARAS"}, "yurtici": {"code": "Other",
                                                                                 "name": "Yurtiçi Kargo"}})
        assert set(refused.value.errors) == {"aras", "yurtici"}
        assert "listesinde" in str(refused.value.errors["yurtici"])
        # The shop's "Sendeo" parcels go with a carrier Amazon lists (the seller's contract says so)
        save_carrier_map(env.store_id, {"sendeo": {"code": "PTT Kargo"}, "hepsijet": {"code": "Other",
                                                                                      "name": "Hepsijet Lojistik"}})
        by_key = {c["key"]: c for c in carrier_map(env.store_id)}
        assert by_key["sendeo"]["code"] == "PTT Kargo" and by_key["hepsijet"]["name"] == "Hepsijet Lojistik"
        # a free-text code an older version kept is not sent: the default holds until chosen again
        settings = db.session.get(ShipmentSettings, env.store_id)
        settings.carriers = {**settings.carriers, "mng": {"code": "MNG"}}
        db.session.commit()
        assert {c["key"]: c for c in carrier_map(env.store_id)}["mng"]["code"] == "MNG Kargo"
        record_shipment("AMZ-1", "Sendeo", "SND-1", None, [("KAHVE-1", 1)])
    [detail] = _sent(env)
    assert detail["carrierCode"] == "PTT Kargo" and "carrierName" not in detail


@pytest.mark.parametrize("status", ["PENDING", "PENDING_AVAILABILITY"])
def test_an_unpaid_order_is_refused_before_any_call_and_taken_once_amazon_approves_it(env, status):
    from flask_amazon_tr.services.shipments import ShipmentRefused, record_shipment

    oid = env.order("AMZ-1", status=status, state="pending")
    with env.ctx():
        with pytest.raises(ShipmentRefused) as refused:
            record_shipment("AMZ-1", "Aras Kargo", "ARAS-1", None, [("KAHVE-1", 1)])
        assert "Beklemede" in str(refused.value.errors["order"])
        assert env.packages() == []
    assert env.confirmations() == []
    # Amazon approves the payment; the import has not run since: the package reads Amazon's order again
    env.sandbox.state.update_order(oid, {"fulfillmentStatus": "UNSHIPPED"})
    with env.ctx():
        package = record_shipment("AMZ-1", "Aras Kargo", "ARAS-1", None, [("KAHVE-1", 1)])
        assert package.state == "confirmed"


def test_the_sandbox_answers_a_pending_order_as_orders_v0_does(env):
    from flask_amazon_tr.services.amazon import calling_amazon
    from flask_amazon_tr.models import Store
    from demo import db

    oid = env.order("AMZ-1", status="PENDING", state="pending")
    detail = {"packageReferenceId": "1", "carrierCode": "UPS", "trackingNumber": "1Z1",
              "shipDate": "2026-03-02T08:00:00Z", "orderItems": [{"orderItemId": "32222222222222", "quantity": 1}]}
    with env.ctx(), calling_amazon(db.session.get(Store, env.store_id), max_retries=0) as client:
        with pytest.raises(InvalidInputError) as refused:
            client.confirm_shipment(oid, package_detail=detail)
    assert "not ready for shipment" in str(refused.value)


@pytest.mark.parametrize("day, advance_hours, expected", [
    # 08:00 in Istanbul (the simulated clock starts at 12:00 on 2 March): noon is still ahead,
    # so the moment is now, never a future time
    ("2026-03-03", 20, "2026-03-03T05:00:00Z"),
    # 15:00 in Istanbul: noon has passed, so noon it is
    ("2026-03-02", 3, "2026-03-02T09:00:00Z"),
    # the day before: noon of that day in Istanbul
    ("2026-03-01", 3, "2026-03-01T09:00:00Z"),
])
def test_a_bare_ship_date_is_the_earlier_of_noon_in_istanbul_and_now(env, sim_clock, day, advance_hours, expected):
    from flask_amazon_tr.services.shipments import record_shipment

    env.order("AMZ-1")
    sim_clock.advance(advance_hours * 3600)  # the same simulated clock the app and the local Amazon read
    with env.ctx():
        package = record_shipment("AMZ-1", "PTT Kargo", "PTT-1", day, [("KAHVE-1", 1)])
        assert package.state == "confirmed", package.last_message
    assert _sent(env)[0]["shipDate"] == expected


def test_a_shop_shipment_after_a_revocation_says_the_grant_is_gone(env):
    from flask_amazon_tr.services.shipments import ShipmentRefused, record_shipment

    env.order("AMZ-1")
    from flask_amazon_tr.sandbox.seed import TR_SELLER_ID

    env.sandbox.state.revoke(seller_id=TR_SELLER_ID)
    with env.ctx():
        with pytest.raises(ShipmentRefused) as refused:
            record_shipment("AMZ-1", "PTT Kargo", "PTT-1", None, None)  # everything: needs Amazon's lines
        text = " ".join(str(v) for v in refused.value.errors.values())
        assert "yetki" in text.lower() and "henüz bilinmiyor" not in text
    assert env.confirmations() == []


def test_kargo_bildir_on_an_order_whose_buyer_asked_to_cancel_needs_the_admins_word(env):
    from flask_amazon_tr.models import ImportedOrder
    from flask_amazon_tr.services.shipments import ShipmentRefused, record_manual
    from demo import db

    env.order("AMZ-1")
    with env.ctx():
        order = db.session.query(ImportedOrder).filter_by(shop_number="AMZ-1").one()
        order.cancellation_requested = True
        db.session.commit()
        with pytest.raises(ShipmentRefused) as refused:
            record_manual(order, carrier="aras", tracking_number="ARAS-1", ship_date=None,
                          lines=[{"order_item_id": "32222222222222", "quantity": 1}])
        assert "iptal" in str(refused.value.errors["order"])
        assert env.confirmations() == []
        package = record_manual(order, carrier="aras", tracking_number="ARAS-1", ship_date=None,
                                lines=[{"order_item_id": "32222222222222", "quantity": 1}],
                                despite_cancel_request=True)
        assert package.state == "confirmed"


def test_flask_amazon_scheduler_run_shipments_sends_what_is_due(env, sim_clock):
    from flask_amazon_tr.services import shipments

    env.order("AMZ-1")
    env.sandbox.state.inject_fault("confirmShipment", "503", 100)
    with env.ctx():
        package = shipments.record_shipment("AMZ-1", "MNG Kargo", "MNG-1", None, [("KAHVE-1", 1)])
        assert package.state == "retry"
    env.sandbox.state.clear_faults()
    sim_clock.advance(shipments.BACKOFF[0].total_seconds() + 1)
    result = env.app.test_cli_runner().invoke(args=["amazon", "scheduler", "run", "shipments"])
    assert result.exit_code == 0, result.output
    assert str(env.store_id) in result.output.split("çalıştığı mağazalar", 1)[1]  # Turkish CLI (issue 17)
    with env.ctx():
        assert [p.state for p in env.packages()] == ["confirmed"]


def test_the_shipments_list_shows_what_is_left_to_ship_first_by_its_ship_by_deadline(env, sim_clock):
    from datetime import timedelta

    from flask_amazon_tr.models import ImportedOrder
    from demo import db

    now = sim_clock.now()
    rows = {  # shop number: (state, channel, hours to the ship-by deadline)
        "LATER": ("ready", "merchant", 50), "LATE": ("ready", "merchant", -2), "PART": ("partially_shipped",
                                                                                        "merchant", 5),
        "NO-DEADLINE": ("ready", "merchant", None), "FBA": ("shipped", "amazon", 1), "GONE": ("cancelled",
                                                                                               "merchant", 1),
        "DONE": ("shipped", "merchant", 1), "UNPAID": ("pending", "merchant", 1)}
    with env.ctx():
        for i, (number, (state, channel, hours)) in enumerate(rows.items()):
            db.session.add(ImportedOrder(
                store_id=env.store_id, amazon_order_id=f"405-0000000-00000{i:02d}", shop_number=number, state=state,
                fulfillment_channel=channel, ship_by_latest=now + timedelta(hours=hours) if hours is not None else None))
        db.session.commit()
        client = _admin(env)
        html = client.get(f"/admin/amazon/stores/{env.store_id}/shipments").get_data(as_text=True)
        listed = [n for n in rows if f">{n}</a>" in html]
        assert sorted(listed, key=html.index) == ["LATE", "PART", "LATER", "NO-DEADLINE"]
        assert 'data-order="405-0000000-0000001" class="amazon-tr-ship-by--late"' in html
        assert "Kargolanacaklar (4)" in html and "Amazon gönderiyor (FBA) (1)" in html
        fba = client.get(f"/admin/amazon/stores/{env.store_id}/shipments?view=fba").get_data(as_text=True)
        assert ">FBA</a>" in fba and ">LATE</a>" not in fba
        gone = client.get(f"/admin/amazon/stores/{env.store_id}/shipments?view=cancelled").get_data(as_text=True)
        assert ">GONE</a>" in gone and ">DONE</a>" not in gone
        everything = client.get(f"/admin/amazon/stores/{env.store_id}/shipments?view=all").get_data(as_text=True)
        assert all(f">{n}</a>" in everything for n in rows)


def test_a_confirmed_package_shows_in_the_shop_at_once_through_order_shipped(env):
    from sqlalchemy import select
    from test_orders_helpers import use_demo_skus

    from flask_amazon_tr.models import ImportedOrder
    from flask_amazon_tr.services.orders import import_orders
    from flask_amazon_tr.services.shipments import record_manual
    from demo import Order, db

    amazon = env.sandbox.state.add_order(status="UNSHIPPED")
    use_demo_skus(env.sandbox)
    with env.ctx():
        import_orders(env.store_id)
        order = db.session.scalar(select(ImportedOrder).where(ImportedOrder.amazon_order_id == amazon["orderId"]))
        shop = db.session.scalar(select(Order).where(Order.number == order.shop_number))
        assert (order.state, shop.status) == ("ready", "ready")
        items = env.sandbox.state.orders[amazon["orderId"]]["orderItems"]
        first = items[0]
        # a part of the order first (when it has more than one unit), then the rest: the shop follows each
        if len(items) > 1 or first["quantityOrdered"] > 1:
            record_manual(order, carrier="aras", tracking_number="ARAS-1", ship_date=None,
                          lines=[{"order_item_id": first["orderItemId"], "quantity": 1}])
            db.session.expire_all()
            assert (order.state, db.session.get(Order, shop.id).status) == ("partially_shipped", "partially_shipped")
        record_manual(order, carrier="aras", tracking_number="ARAS-2", ship_date=None, lines=None)
        db.session.expire_all()
        assert (order.state, order.amazon_status) == ("shipped", "SHIPPED")
        assert order.closed_at is not None  # the 30 days before the buyer's data is purged start now
        assert db.session.get(Order, shop.id).status == "shipped"
