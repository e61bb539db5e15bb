"""Rate limits and injected faults on the local Amazon."""
from __future__ import annotations

import pytest
import requests

from flask_amazon_tr.sandbox.seed import NO_LISTINGS_ROLE_SELLER_ID

pytest_plugins = ["sandbox_fixtures"]

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"


def test_429_at_burst_plus_one_then_refill(sim_session, sim_sandbox, sim_clock):
    url = sim_sandbox.url + PARTICIPATIONS  # rate 0.016/s, burst 15
    codes = [sim_session.get(url).status_code for _ in range(16)]
    assert codes == [200] * 15 + [429]
    r = sim_session.get(url)
    assert r.json() == {"errors": [{"code": "QuotaExceeded", "message":
                                    "You exceeded your quota for the requested resource.",
                                    "details": ""}]}
    sim_clock.advance(1 / 0.016 - 1)
    assert sim_session.get(url).status_code == 429
    sim_clock.advance(2)
    assert sim_session.get(url).status_code == 200


def test_buckets_are_per_operation(sim_session, sim_sandbox):
    for _ in range(15):
        sim_session.get(sim_sandbox.url + PARTICIPATIONS)
    assert sim_session.get(sim_sandbox.url + PARTICIPATIONS).status_code == 429
    r = sim_session.get(sim_sandbox.url + "/orders/2026-01-01/orders",
                        params={"createdAfter": "2020-01-01T00:00:00Z", "maxResultsPerPage": 1})
    assert r.status_code == 200 and r.headers["x-amzn-RateLimit-Limit"] == "0.0056"


@pytest.mark.parametrize("kind,status,code", [("throttle", 429, "QuotaExceeded"),
                                               ("500", 500, "InternalFailure"),
                                               ("503", 503, "ServiceUnavailable")])
def test_error_faults_hit_count_times(sandbox_session, sandbox, kind, status, code):
    r = requests.post(sandbox.url + "/_sandbox/faults",
                      json={"operation": "getMarketplaceParticipations", "kind": kind, "count": 2})
    assert r.status_code == 200
    url = sandbox.url + PARTICIPATIONS
    got = [sandbox_session.get(url) for _ in range(3)]
    assert [g.status_code for g in got] == [status, status, 200]
    assert got[0].json()["errors"][0]["code"] == code


def test_wildcard_fault_and_log(sandbox_session, sandbox):
    sandbox.state.inject_fault("*", "503", 1)
    r = sandbox_session.get(sandbox.url + "/orders/2026-01-01/orders",
                            params={"createdAfter": "2020-01-01T00:00:00Z"})
    assert r.status_code == 503
    log = requests.get(sandbox.url + "/_sandbox/requests").json()
    assert log["counts"]["searchOrders"] == 1 == sandbox.state.count("searchOrders")
    entry = [e for e in log["requests"] if e["operation"] == "searchOrders"][0]
    assert entry["query"] == {"createdAfter": "2020-01-01T00:00:00Z"} and entry["status"] == 503


def test_slow_fault_outlasts_read_timeout(sandbox_session, sandbox):
    sandbox.state.inject_fault("getMarketplaceParticipations", "slow", 1, seconds=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        sandbox_session.get(sandbox.url + PARTICIPATIONS, timeout=0.3)
    assert sandbox_session.get(sandbox.url + PARTICIPATIONS, timeout=5).status_code == 200


def test_drop_fault_closes_connection(sandbox_session, sandbox):
    sandbox.state.inject_fault("getMarketplaceParticipations", "drop", 1)
    with pytest.raises(requests.exceptions.ConnectionError):
        sandbox_session.get(sandbox.url + PARTICIPATIONS, timeout=5)
    assert sandbox_session.get(sandbox.url + PARTICIPATIONS, timeout=5).status_code == 200


def test_malformed_fault_is_200_with_broken_json(sandbox_session, sandbox):
    sandbox.state.inject_fault("getMarketplaceParticipations", "malformed", 1)
    r = sandbox_session.get(sandbox.url + PARTICIPATIONS)
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()


def test_token_endpoint_fault_by_name_only(sandbox, sandbox_helpers):
    sandbox.state.inject_fault("*", "500", 5)
    # "*" leaves LWA alone, so authorizing still works
    tokens = sandbox_helpers.authorize_over_http(sandbox.url)
    sandbox.state.clear_faults()
    sandbox.state.inject_fault("lwaToken", "503", 1)
    r = requests.post(sandbox.url + "/auth/o2/token", data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
        "client_id": "x", "client_secret": "y"})
    assert r.status_code == 503


def test_unknown_fault_kind_rejected(sandbox):
    r = requests.post(sandbox.url + "/_sandbox/faults", json={"kind": "explode"})
    assert r.status_code == 400


def test_missing_role_is_403(sandbox, sandbox_helpers):
    token = sandbox_helpers.authorize_over_http(sandbox.url, NO_LISTINGS_ROLE_SELLER_ID)["access_token"]
    h = {"x-amz-access-token": token}
    ok = requests.get(sandbox.url + PARTICIPATIONS, headers=h)
    assert ok.status_code == 200
    r = requests.get(f"{sandbox.url}/listings/2021-08-01/items/{NO_LISTINGS_ROLE_SELLER_ID}/DEMO-0001",
                     params={"marketplaceIds": "A33AVAJ2PDY3EV"}, headers=h)
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "Unauthorized"


def test_clock_and_reset_control(sim_sandbox, sandbox):
    before = sim_sandbox.state.now_ts()
    r = requests.post(sim_sandbox.url + "/_sandbox/clock", json={"advance": 90})
    assert r.status_code == 200 and sim_sandbox.state.now_ts() == before + 90
    assert requests.post(sandbox.url + "/_sandbox/clock", json={"advance": 1}).status_code == 409
    sandbox.state.inject_fault("*", "500", 3)
    n = len(sandbox.state.orders)
    sandbox.state.add_order()
    assert requests.post(sandbox.url + "/_sandbox/reset").status_code == 200
    assert len(sandbox.state.orders) == n and sandbox.state.faults == []
