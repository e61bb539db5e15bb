"""The /_sandbox/ control API: the same levers SandboxState offers in Python,
for tests and demos that run the sandbox in another process."""
from __future__ import annotations

import math

from flask import Blueprint, Response, abort, current_app, jsonify, request

from flask_amazon_tr.clock import SimulatedClock

from . import auth, control_page, listings_rules, ops_sellers, seed_tr, seller_central
from .local_only import from_this_machine
from .seed import TR_SELLER_ID, seed_live_seller
from .state import FAULT_KINDS, SandboxState

bp = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")


def _state() -> SandboxState:
    return current_app.extensions["amazon_tr_sandbox"]["state"]


def _bad(message: str, status: int = 400) -> Response:
    resp = jsonify({"error": message})
    resp.status_code = status
    return resp


def _body() -> dict:
    """The request's JSON object ({} without a body); any other JSON is answered 400, never a 500."""
    data = request.get_json(silent=True)
    if data is None:
        return {}
    if not isinstance(data, dict):
        abort(_bad("the body must be a JSON object"))
    return data


@bp.before_request
def _only_from_this_machine() -> Response | None:
    # These levers change what "Amazon" answers: nobody on the network may pull them.
    if not from_this_machine():
        return _bad("the sandbox control API answers only requests from this machine", 403)
    return None


@bp.post("/faults")
def add_fault() -> Response:
    data = _body()
    kind = str(data.get("kind", ""))
    if kind not in FAULT_KINDS:
        return _bad(f"kind must be one of {sorted(FAULT_KINDS)}")
    try:
        count = int(data.get("count", 1))
        seconds = float(data.get("seconds", 0))
    except (TypeError, ValueError):
        return _bad("count and seconds must be numbers")
    fault = _state().inject_fault(str(data.get("operation", "*")), kind, count, seconds)
    return jsonify({"operation": fault.operation, "kind": fault.kind, "count": fault.count,
                    "seconds": fault.seconds})


@bp.post("/feed-outcome")
def feed_outcome() -> Response:
    """{"outcome": "fatal" | "stuck" | "queued" | "feed_error", "count": 1, "seconds": 0}: the next
    ``count`` feeds end FATAL, stay IN_PROGRESS, wait ``seconds`` more IN_QUEUE (for ever with 0)
    or end DONE with a message-less error that fails them whole."""
    data = _body()
    try:
        _state().force_feed_outcome(str(data.get("outcome", "")), int(data.get("count", 1)),
                                    float(data.get("seconds", 0)))
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    return jsonify({"ok": True})


@bp.post("/feed-timing")
def feed_timing() -> Response:
    """{"queue_seconds": s, "processing_seconds": s}: how long feeds created from now on wait
    IN_QUEUE, then IN_PROGRESS (simulated seconds on a SimulatedClock)."""
    st = _state()
    data = _body()
    try:
        queue = float(data.get("queue_seconds", st.feed_timing.start_after))
        processing = float(data.get("processing_seconds", st.feed_timing.done_after - st.feed_timing.start_after))
    except (TypeError, ValueError):
        return _bad("queue_seconds and processing_seconds must be numbers")
    if queue < 0 or processing < 0:
        return _bad("queue_seconds and processing_seconds must not be negative")
    with st.lock:
        st.feed_timing.start_after, st.feed_timing.done_after = queue, queue + processing
    return jsonify({"queue_seconds": queue, "processing_seconds": processing})


@bp.post("/listing-processing")
def listing_processing() -> Response:
    """{"seconds": s}: how long Amazon takes to process an ACCEPTED listing submission from now on; until
    then reads show the listing as it was, a new SKU not at all (listings_view.visible)."""
    try:
        seconds = float(_body().get("seconds", 0))
    except (TypeError, ValueError):
        return _bad("seconds must be a number")
    if not math.isfinite(seconds) or seconds < 0:
        return _bad("seconds must be a finite number, not negative")
    _state().listing_processing_seconds = seconds
    return jsonify({"seconds": seconds})


@bp.post("/live-seller")
def live_seller() -> Response:
    """{"offers": 1000, "fba": 50, "seller_id": ..., "sku_prefix": "LIVE-", "ean_start": ...}: a seller
    who already sells on Amazon (seed_live.py); answers the FBA SKUs and each SKU's EAN."""
    data = _body()
    kwargs = {k: data[k] for k in ("offers", "fba", "sku_prefix") if k in data}
    try:
        if "ean_start" in data:
            kwargs["ean_start"] = int(data["ean_start"])
        out = seed_live_seller(_state(), seller_id=str(data.get("seller_id", TR_SELLER_ID)), **kwargs)
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    return jsonify(out), 201


@bp.post("/listing-issues")
def listing_issues() -> Response:
    """{"kind": "invalid_attribute" | "missing_recommended"} or {"code", "severity", "message"},
    with optional "attribute", "sku", "seller_id", "after" (seconds) and "count": an issue that
    shows on getListingsItem / searchListingsItems ``after`` seconds after ACCEPTED: on ``sku``
    now if it has a listing, else on the next ``count`` accepted submissions (of ``sku``)."""
    data = _body()
    try:
        found = listings_rules.make_issue(data.get("kind"), code=data.get("code"), severity=data.get("severity"),
                                          message=data.get("message"), attribute=data.get("attribute"))
        where = listings_rules.arm_issue(_state(), found, seller_id=str(data.get("seller_id", TR_SELLER_ID)),
                                         sku=data.get("sku"), after=float(data.get("after", 0)),
                                         count=int(data.get("count", 1)))
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    return jsonify({"issue": found, "where": where}), 201


@bp.delete("/faults")
def clear_faults() -> Response:
    _state().clear_faults()
    return jsonify({"ok": True})


@bp.get("/faults")
def list_faults() -> Response:
    st = _state()
    with st.lock:
        return jsonify([f.__dict__ for f in st.faults])


@bp.post("/revoke")
def revoke() -> Response:
    data = _body()
    if not data.get("refresh_token") and not data.get("seller_id"):
        return _bad("give refresh_token or seller_id")
    n = _state().revoke(refresh_token=data.get("refresh_token"), seller_id=data.get("seller_id"))
    return jsonify({"revoked": n})


@bp.post("/client-secret")
def client_secret() -> Response:
    """{"action": "expire" | "rotate", "client_id": …}: the LWA secret passes its deadline (invalid_client
    from then on) or is rotated (answers the new one); auth.py has the sources."""
    data = _body()
    try:
        if data.get("action") == "expire":
            auth.expire_client_secret(_state(), data.get("client_id"))
            return jsonify({"expired": True})
        if data.get("action") == "rotate":
            return jsonify({"client_secret": auth.rotate_client_secret(_state(), data.get("client_id"))})
    except LookupError as exc:
        return _bad(str(exc), 404)
    return _bad("action must be expire or rotate")


@bp.post("/self-authorize")
def self_authorize() -> Response:
    """{"seller_id": …, "application_id": …}: the refresh token Seller Central's self-authorization shows."""
    data = _body()
    try:
        token = seller_central.self_authorize(_state(), **{k: str(data[k]) for k in ("seller_id", "application_id")
                                                           if k in data})
    except LookupError as exc:
        return _bad(str(exc), 404)
    return jsonify({"refresh_token": token}), 201


@bp.post("/sellers/<seller_id>")
def change_seller(seller_id: str) -> Response:
    """{"roles": [...], "participating": {"A33AVAJ2PDY3EV": false}}: the application's roles for the seller
    and the marketplaces it takes part in (ops_sellers.py)."""
    st = _state()
    data = _body()
    if seller_id not in st.sellers:
        return _bad("no such seller", 404)
    roles, participating_in = data.get("roles"), data.get("participating") or {}
    if roles is not None and not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
        return _bad("roles must be a list of role names")
    if not (isinstance(participating_in, dict) and all(isinstance(v, bool) for v in participating_in.values())):
        return _bad('participating must map marketplace ids to true or false')
    if roles is not None:
        ops_sellers.set_roles(st, seller_id, roles)
    for marketplace_id, participating in participating_in.items():
        ops_sellers.set_participation(st, seller_id, str(marketplace_id), bool(participating))
    return jsonify({"roles": sorted(ops_sellers.seller_roles(st, seller_id)),
                    "not_participating": sorted(st.sellers[seller_id].get("not_participating", ()))})


@bp.post("/orders")
def add_orders() -> Response:
    data = request.get_json(silent=True)
    items = data if isinstance(data, list) else [data or {}]
    st = _state()
    out = []
    for item in items:
        item = dict(item)
        kwargs = {k: item.pop(k) for k in ("seller_id", "status", "fulfilled_by") if k in item}
        out.append(st.add_order(item or None, **kwargs))
    return jsonify({"orders": [_public(o) for o in out]}), 201


@bp.patch("/orders/<order_id>")
def change_order(order_id: str) -> Response:
    st = _state()
    if order_id not in st.orders:
        return _bad("no such order", 404)
    try:
        order = st.update_order(order_id, _body())
    except ValueError as exc:
        return _bad(str(exc))
    return jsonify({"order": _public(order)})


@bp.post("/orders/<order_id>/cancellation-request")
def buyer_asks_cancellation(order_id: str) -> Response:
    """{"reason": "..."} (optional): the buyer asks the seller to cancel (seed_tr.request_cancellation)."""
    reason = _body().get("reason")
    try:
        order = seed_tr.request_cancellation(_state(), order_id, str(reason) if reason else None)
    except LookupError:
        return _bad("no such order", 404)
    except ValueError as exc:
        return _bad(str(exc), 409)
    return jsonify({"order": _public(order)})


def _public(order: dict) -> dict:
    return {k: v for k, v in order.items() if not k.startswith("_")} | {
        "sellerId": order.get("_sellerId")}


@bp.get("/requests")
def requests_log() -> Response:
    st = _state()
    op = request.args.get("operation")
    with st.lock:
        entries = [e for e in st.requests if op is None or e.get("operation") == op]
        return jsonify({"requests": entries, "counts": st.counts()})


@bp.delete("/requests")
def clear_requests() -> Response:
    _state().clear_requests()
    return jsonify({"ok": True})


@bp.post("/reset")
def reset() -> Response:
    _state().reset()
    return jsonify({"ok": True})


@bp.post("/clock")
def clock() -> Response:
    st = _state()
    if not isinstance(st.clock, SimulatedClock):
        return _bad("the sandbox runs on the real clock; start it with a SimulatedClock", 409)
    data = _body()
    try:
        st.advance(float(data.get("advance", 0)))
    except (TypeError, ValueError):
        return _bad("advance must be a number of seconds")
    return jsonify({"now": st.now_iso(), "time": st.now_ts()})


@bp.get("/state")
def summary() -> Response:
    st = _state()
    with st.lock:
        return jsonify({
            "now": st.now_iso(), "orders": len(st.orders), "catalog": len(st.catalog),
            "listings": {s: len(v) for s, v in st.listings.items()}, "feeds": len(st.feeds),
            "sellers": {k: {"name": v["name"], "marketplaces": v["marketplaces"]}
                        for k, v in st.sellers.items()},
        })


# The HTML page over these levers (GET /_sandbox/ and its form posts): control_page.py.
control_page.register(bp)
