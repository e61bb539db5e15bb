"""Kargo bildirimi against the local Amazon over HTTP: the shop's signal, partial and final
packages, exactly once across a killed process, FBA and cancelled orders, Amazon's refusals."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import make_app
from sqlalchemy import select

from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
from flask_amazon_tr.services.authorization import grant

ROOT = Path(__file__).resolve().parents[1]

LINES = [{"orderItemId": "31111111111111", "quantityOrdered": 3,
          "product": {"asin": "B0TR000001", "sellerSku": "CEZVE-1", "title": "Bakır Cezve"},
          "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": 3}},
         {"orderItemId": "32222222222222", "quantityOrdered": 1,
          "product": {"asin": "B0TR000002", "sellerSku": "KAHVE-1", "title": "Türk Kahvesi"},
          "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": 1}}]


class Env:
    def __init__(self, app, sandbox, store_id, config):
        self.app, self.sandbox, self.store_id, self.config = app, sandbox, store_id, config

    def ctx(self):
        return self.app.app_context()

    def order(self, number="AMZ-1", *, status="UNSHIPPED", fulfilled_by="MERCHANT", state="ready"):
        """An Amazon order and the row the order import made of it."""
        from flask_amazon_tr.models import ImportedOrder
        from demo import db

        amazon = self.sandbox.state.add_order({"orderItems": json.loads(json.dumps(LINES))}, status=status,
                                              fulfilled_by=fulfilled_by)
        with self.ctx():
            row = ImportedOrder(store_id=self.store_id, amazon_order_id=amazon["orderId"], shop_number=number,
                                state=state, amazon_status=status,
                                fulfillment_channel="amazon" if fulfilled_by == "AMAZON" else "merchant")
            db.session.add(row)
            db.session.commit()
        return amazon["orderId"]

    def packages(self):
        from flask_amazon_tr.models import ShipmentPackage
        from demo import db

        return list(db.session.scalars(select(ShipmentPackage).order_by(ShipmentPackage.id)))

    def confirmations(self):
        return [r for r in self.sandbox.state.requests if r["operation"] == "confirmShipment"]

    def amazon(self, order_id):
        return self.sandbox.state.orders[order_id]


@pytest.fixture
def env(tmp_path, sim_sandbox, sim_clock, sandbox_helpers):
    config = {"AMAZON_TR_SANDBOX": "local", "AMAZON_TR_LOCAL_SANDBOX_URL": sim_sandbox.url}
    app = make_app(tmp_path, **config)
    state = app.extensions["amazon_tr"]
    state.clock = sim_clock
    tokens = sandbox_helpers.authorize_over_http(sim_sandbox.url)
    from flask_amazon_tr.models import Store
    from demo import db

    with app.app_context():
        store = grant(Store(name="Amazon TR", seller_id=TR_SELLER_ID), tokens["refresh_token"], TR_SELLER_ID)
        db.session.add(store)
        db.session.commit()
        store_id = store.id
    yield Env(app, sim_sandbox, store_id, dict(config, INSTANCE_PATH=str(tmp_path / "instance")))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _runs(env):
    from flask_amazon_tr.services import runs

    return runs.latest_runs(env.store_id, "shipments")


def test_shop_signal_partial_then_final_package(env):
    from flask_amazon_tr.services.shipments import record_shipment

    oid = env.order("AMZ-1")
    with env.ctx():
        first = record_shipment("AMZ-1", "Yurtiçi Kargo", "YK-111", "2026-03-02", [("CEZVE-1", 2)])
        assert (first.state, first.package_reference_id, first.last_status) == ("confirmed", "1", 204)
        # the shop repeating its signal for the same parcel is the same package, not a second one
        again = record_shipment("AMZ-1", "yurtici kargo", "YK-111", "2026-03-02", [{"sku": "CEZVE-1", "quantity": 2}])
        assert again.id == first.id
        assert env.amazon(oid)["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
        rest = record_shipment("AMZ-1", "Aras Kargo", "ARAS-222", None, None)  # None: everything left
        assert (rest.state, rest.package_reference_id) == ("confirmed", "2")
    sent = [c["body"]["packageDetail"] for c in env.confirmations()]
    assert len(sent) == 2
    # Yurtiçi Kargo is on Amazon's carrier list: its own code, no "Other"
    assert sent[0]["carrierCode"] == "Yurtiçi Kargo" and "carrierName" not in sent[0]
    assert sent[1]["carrierCode"] == "Aras Kargo"
    assert sent[0]["orderItems"] == [{"orderItemId": "31111111111111", "quantity": 2}]
    assert sent[0]["shipDate"] == "2026-03-02T09:00:00Z"  # noon in Istanbul
    assert sorted((i["orderItemId"], i["quantity"]) for i in sent[1]["orderItems"]) == [
        ("31111111111111", 1), ("32222222222222", 1)]
    assert env.amazon(oid)["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    with env.ctx():
        [run, _] = _runs(env)
        assert run.status == "done" and run.counts["confirmed"] == 1


def test_mapped_global_carrier_goes_with_its_code_and_the_store_can_change_the_mapping(env):
    from flask_amazon_tr.services.shipments import record_shipment, save_carrier_map

    env.order("AMZ-2")
    with env.ctx():
        record_shipment("AMZ-2", "UPS", "1Z999", None, [("KAHVE-1", 1)])
        save_carrier_map(env.store_id, {"aras": {"code": "Aras Kargo"}})
        record_shipment("AMZ-2", "Aras Kargo", "ARAS-1", None, [("CEZVE-1", 1)])
    ups, aras = [c["body"]["packageDetail"] for c in env.confirmations()]
    assert ups["carrierCode"] == "UPS" and "carrierName" not in ups
    assert aras["carrierCode"] == "Aras Kargo" and "carrierName" not in aras


@pytest.mark.parametrize("kind", ["fba", "cancelled", "cancelled_at_amazon"])
def test_fba_and_cancelled_orders_are_never_confirmed(env, kind):
    from flask_amazon_tr.services.shipments import ShipmentRefused, record_shipment

    if kind == "fba":
        env.order("AMZ-3", fulfilled_by="AMAZON", status="SHIPPED")
    elif kind == "cancelled":
        env.order("AMZ-3", status="CANCELLED", state="cancelled")
    else:  # imported while open, cancelled at Amazon since: the first package reads Amazon's order first
        oid = env.order("AMZ-3")
        env.sandbox.state.update_order(oid, {"fulfillmentStatus": "CANCELLED"})
    with env.ctx():
        with pytest.raises(ShipmentRefused) as refused:
            record_shipment("AMZ-3", "MNG Kargo", "MNG-1", None, [("KAHVE-1", 1)])
        expected = "FBA" if kind == "fba" else "iptal"
        assert "order" in refused.value.errors and expected in str(refused.value.errors["order"])
        assert env.packages() == []
    assert env.confirmations() == []


def test_amazons_refusal_is_stored_and_surfaces_in_turkish_with_its_message(env):
    from flask_amazon_tr.services.shipments import record_shipment

    oid = env.order("AMZ-4")
    with env.ctx():
        record_shipment("AMZ-4", "PTT Kargo", "PTT-1", None, [("CEZVE-1", 1)])
    # Amazon learns of a shipment through Seller Central we did not see: two more units are gone
    env.amazon(oid)["orderItems"][0]["fulfillment"] = {"quantityFulfilled": 3, "quantityUnfulfilled": 0}
    with env.ctx():
        package = record_shipment("AMZ-4", "PTT Kargo", "PTT-2", None, [("CEZVE-1", 2)])
        assert package.state == "failed" and package.last_status == 400
        assert "exceeds the quantity still to ship" in package.last_message
        [run, _] = _runs(env)
        assert run.status == "failed"
        assert "AMZ-4" in run.error and "Amazon'a bildirilemedi" in run.error
        assert "exceeds the quantity still to ship" in run.error


def test_transient_failures_retry_with_backoff_then_fail(env, sim_clock):
    from flask_amazon_tr.services import shipments

    env.order("AMZ-5")
    env.sandbox.state.inject_fault("confirmShipment", "503", 100)
    with env.ctx():
        package = shipments.record_shipment("AMZ-5", "Sürat Kargo", "S-1", None, [("KAHVE-1", 1)])
        assert package.state == "retry" and package.attempts == 1
        assert shipments.send_due(env.store_id) is None  # not due yet: nothing is called
        for wait in shipments.BACKOFF:
            sim_clock.advance(wait.total_seconds() + 1)
            shipments.send_due(env.store_id)
        package = env.packages()[0]
        assert package.state == "failed" and package.attempts == shipments.MAX_ATTEMPTS
        assert package.last_status == 503 and "Service temporarily unavailable" in package.last_message
        assert "Service temporarily unavailable" in _runs(env)[0].error
    env.sandbox.state.clear_faults()
    with env.ctx():
        shipments.retry_package(env.packages()[0])
        shipments.send_due(env.store_id)
        assert env.packages()[0].state == "confirmed"


CRASH = textwrap.dedent("""
    import json, os, signal, sys
    import requests.adapters
    sys.path.insert(0, {root!r})
    config, store_id, when = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    real_send = requests.adapters.HTTPAdapter.send

    def send(self, request, **kw):
        # the power goes out just before Amazon hears the call, or just after it answered
        if when == "before" and "shipmentConfirmation" in request.url:
            os.kill(os.getpid(), signal.SIGKILL)
        response = real_send(self, request, **kw)
        if when == "after" and "shipmentConfirmation" in request.url:
            os.kill(os.getpid(), signal.SIGKILL)
        return response

    requests.adapters.HTTPAdapter.send = send
    from demo import create_app
    from flask_amazon_tr.services.shipments import send_due
    app = create_app(dict(config, TESTING=True, SECRET_KEY="test-secret", DEMO_MOUNT_SANDBOX=False))
    with app.app_context():
        send_due(store_id)
    print("survived")
""")


@pytest.mark.parametrize("when", ["after", "before"])
def test_package_is_confirmed_once_after_a_kill_between_call_and_commit(env, tmp_path, when):
    from flask_amazon_tr.services.shipments import record_shipment, send_due

    oid = env.order("AMZ-6")
    with env.ctx():
        package = record_shipment("AMZ-6", "HepsiJet", "HJ-1", None, [("CEZVE-1", 3)], send=False)
        assert package.state == "pending"
    script = tmp_path / "crash.py"
    script.write_text(CRASH.format(root=str(ROOT)))
    done = subprocess.run([sys.executable, str(script), json.dumps(env.config), str(env.store_id), when],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert done.returncode == -9, done.stderr[-2000:]
    assert len(env.confirmations()) == (1 if when == "after" else 0)
    with env.ctx():
        assert env.packages()[0].state == "sending"  # the commit never happened
        run = send_due(env.store_id)
        assert run is not None and run.status == "done"
        [package] = env.packages()
        assert package.state == "confirmed"
    assert len(env.confirmations()) == 1
    assert [p["packageReferenceId"] for p in env.amazon(oid)["packages"]] == ["1"]
    assert env.amazon(oid)["orderItems"][0]["fulfillment"]["quantityFulfilled"] == 3


def test_the_scheduler_tick_sends_what_amazon_refused_for_a_while(env, sim_clock):
    from flask_amazon_tr.services import schedule, shipments

    env.order("AMZ-7")
    env.sandbox.state.inject_fault("confirmShipment", "503", 100)
    with env.ctx():
        package = shipments.record_shipment("AMZ-7", "MNG Kargo", "MNG-7", None, [("KAHVE-1", 1)])
        assert package.state == "retry"
        env.sandbox.state.clear_faults()
        refused = len(env.confirmations())
        sim_clock.advance(shipments.BACKOFF[0].total_seconds() + 1)
        report = schedule.run_tick("shipments", when=sim_clock.time())
        assert env.store_id in report.ran
        assert env.packages()[0].state == "confirmed"
        # The same slot again: claimed already, nothing more is sent.
        schedule.run_tick("shipments", when=sim_clock.time())
    assert len(env.confirmations()) == refused + 1  # one call went through, once
