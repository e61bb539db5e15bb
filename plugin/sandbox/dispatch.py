"""The gate every SP-API call passes: faults, auth, rate limit, validation.

The order follows what a client sees from Amazon: trouble in front of the
service first (injected faults), then 403 for a bad token, 429 when the
bucket is empty, 400 for a request the model refuses, then the operation.
"""
from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask, Response, current_app, request

from .models import OPERATIONS, ModelRegistry, ValidationProblem
from .state import SandboxState

log = logging.getLogger(__name__)

# Which role an operation needs; a seller missing it gets 403 like Amazon
# answers an app without the role.
OPERATION_ROLES = {
    "getMarketplaceParticipations": "sellers",
    "searchOrders": "orders", "getOrder": "orders", "confirmShipment": "orders",
    "searchListingsItems": "listings", "getListingsItem": "listings", "putListingsItem": "listings",
    "patchListingsItem": "listings", "deleteListingsItem": "listings",
    "createFeedDocument": "feeds", "createFeed": "feeds", "getFeed": "feeds", "getFeeds": "feeds",
    "cancelFeed": "feeds",
    "getFeedDocument": "feeds",
    "searchCatalogItems": "catalog", "getDefinitionsProductType": "productTypes",
    "searchDefinitionsProductTypes": "productTypes",
}

ERROR_MESSAGES = {
    "Unauthorized": "Access to requested resource is denied.",
    "QuotaExceeded": "You exceeded your quota for the requested resource.",
    "InternalFailure": "We encountered an internal error. Please try again.",
    "ServiceUnavailable": "Service temporarily unavailable. Please try again.",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str | None = None, details: str = "") -> None:
        super().__init__(message or code)
        self.status = status
        self.code = code
        self.message = message or ERROR_MESSAGES.get(code, code)
        self.details = details


def invalid(message: str, details: str = "") -> ApiError:
    return ApiError(400, "InvalidInput", message, details)


@dataclass
class Call:
    operation: str
    state: SandboxState
    seller_id: str
    params: dict[str, Any]
    body: Any
    registry: ModelRegistry
    request_id: str
    extra: dict = field(default_factory=dict)

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


Handler = Callable[[Call], "tuple[int, Any]"]
HANDLERS: dict[str, Handler] = {}


def operation(operation_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[operation_id] = fn
        return fn
    return register


def _flask_rule(path: str) -> str:
    # SKUs may hold slashes once decoded, so the sku segment takes the rest
    return path.replace("{sku}", "<path:sku>").replace("{", "<").replace("}", ">")


def register_operations(app: Flask) -> None:
    # the ops_* modules registered their handlers when app.py imported them
    for op_id, spec in OPERATIONS.items():
        app.add_url_rule(_flask_rule(spec.path), endpoint=f"sp.{op_id}",
                         view_func=_make_view(op_id), methods=[spec.method])


def _make_view(op_id: str) -> Callable[..., Response]:
    def view(**path_values: str) -> Response:
        return dispatch(op_id, path_values)
    view.__name__ = f"sp_{op_id}"
    return view


def error_body(code: str, message: str | None = None, details: str = "") -> dict:
    return {"errors": [{"code": code, "message": message or ERROR_MESSAGES.get(code, code),
                        "details": details}]}


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    resp = Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/json")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def drop_connection() -> None:
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def dispatch(op_id: str, path_values: dict[str, str]) -> Response:
    ext = current_app.extensions["amazon_tr_sandbox"]
    state: SandboxState = ext["state"]
    registry: ModelRegistry = ext["registry"]
    request_id = str(uuid.uuid4())
    raw = request.get_data(cache=True)
    body: Any = None
    body_error = None
    if raw:
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            body_error = str(exc)
    token = request.headers.get("x-amz-access-token")
    seller_id = state.seller_for_access_token(token)
    entry = {
        "id": request_id, "time": state.now_iso(), "operation": op_id,
        "method": request.method, "path": request.path,
        "query": {k: ",".join(v) for k, v in request.args.lists()},
        "body": body, "seller": seller_id, "status": None,
    }
    state.log_request(entry)
    rate, burst = registry.rate_limit(op_id)
    rate_header = {"x-amzn-RateLimit-Limit": f"{rate}"}

    def finish(status: int, payload: Any, with_rate: bool = True) -> Response:
        entry["status"] = status
        problems = registry.response_errors(op_id, status, payload)
        if problems:
            log.warning("sandbox response for %s does not match the model: %s", op_id, problems[:3])
            with state.lock:
                state.response_problems.append({"operation": op_id, "status": status,
                                                "problems": problems})
        headers = {"x-amzn-RequestId": request_id}
        if with_rate:
            headers.update(rate_header)
        if status == 204 or payload is None:
            # "No Content" has no body at all, not even "null"; nor has a 200 whose model
            # declares no schema (cancelFeed)
            resp = Response(b"", status=status)
            resp.headers.update(headers)
            return resp
        return json_response(status, payload, headers)

    fault = state.take_fault(op_id)
    if fault is not None:
        entry["fault"] = fault.kind
        if fault.kind == "throttle":
            return finish(429, error_body("QuotaExceeded"), with_rate=False)
        if fault.kind == "500":
            return finish(500, error_body("InternalFailure"), with_rate=False)
        if fault.kind == "503":
            return finish(503, error_body("ServiceUnavailable"), with_rate=False)
        if fault.kind == "drop":
            entry["status"] = 0
            drop_connection()
            return Response(b"", status=500)
        if fault.kind == "malformed":
            entry["status"] = 200
            resp = Response(b'{"payload": [{"marketplace": ', status=200, mimetype="application/json")
            resp.headers["x-amzn-RequestId"] = request_id
            return resp
        if fault.kind == "slow":
            # real seconds: the point is to outlast the client's read timeout
            time.sleep(fault.seconds)
        if fault.kind in ("revoke", "expire") and seller_id is not None:
            # the seller removes the app (or the token runs out) just as this call arrives
            with state.lock:
                refresh = state.access_tokens[token]["refresh_token"]
            if fault.kind == "revoke":
                state.revoke(refresh_token=refresh)
            else:
                state.expire_access_tokens()
            seller_id = None

    if seller_id is None:
        return finish(403, error_body("Unauthorized"), with_rate=False)
    role = OPERATION_ROLES.get(op_id)
    if role and role not in state.sellers.get(seller_id, {}).get("roles", ()):
        return finish(403, error_body("Unauthorized"), with_rate=False)

    if not state.take_token(op_id, seller_id, rate, burst):
        return finish(429, error_body("QuotaExceeded"), with_rate=False)

    if body_error is not None:
        return finish(400, error_body("InvalidInput", "Request body is not valid JSON.", body_error))
    try:
        params = registry.validate_request(
            op_id, path_values, {k: v for k, v in request.args.lists()}, body, bool(raw))
    except ValidationProblem as exc:
        return finish(400, error_body("InvalidInput", exc.message, exc.details))
    for k, v in path_values.items():
        params.setdefault(k, v)

    call = Call(operation=op_id, state=state, seller_id=seller_id, params=params, body=body,
                registry=registry, request_id=request_id)
    try:
        status, payload = HANDLERS[op_id](call)
    except ApiError as exc:
        return finish(exc.status, error_body(exc.code, exc.message, exc.details))
    return finish(status, payload)
