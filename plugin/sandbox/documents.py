"""Stand-in for the S3 pre-signed URLs that feed documents live behind."""
from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, request

from .dispatch import drop_connection
from .state import SandboxState

bp = Blueprint("sandbox_documents", __name__)


def _state() -> SandboxState:
    return current_app.extensions["amazon_tr_sandbox"]["state"]


def _fault(st: SandboxState, operation: str, entry: dict) -> Response | None:
    """The document store fails like S3 does: 503 SlowDown, 500, a dropped or slow connection."""
    fault = st.take_fault(operation)
    if fault is None:
        return None
    entry["fault"] = fault.kind
    if fault.kind == "throttle":
        return _s3_error(503, "SlowDown", "Please reduce your request rate.")
    if fault.kind in ("500", "503"):
        return _s3_error(int(fault.kind), "InternalError" if fault.kind == "500" else "ServiceUnavailable",
                         "We encountered an internal error. Please try again.")
    if fault.kind == "drop":
        drop_connection()
        return Response(b"", status=500)
    if fault.kind == "malformed" and operation == "downloadFeedDocument":
        return Response(b'{"header": {"sellerId": ', status=200, mimetype="application/json")
    if fault.kind == "slow":
        time.sleep(fault.seconds)
    return None


def _s3_error(status: int, code: str, message: str) -> Response:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error>")
    return Response(body, status=status, mimetype="application/xml")


def _arrive(st, doc_id: str, operation: str):
    """Log a document request like an SP-API one and apply any injected fault: (doc, fault answer)."""
    with st.lock:
        doc = st.documents.get(doc_id)
    entry = {"operation": operation, "method": request.method, "path": request.path,
             "query": {}, "body": None, "seller": doc and doc.get("seller"),
             "time": st.now_iso(), "status": None}
    st.log_request(entry)
    return doc, _fault(st, operation, entry)


@bp.put("/_documents/<doc_id>")
def upload(doc_id: str) -> Response:
    st = _state()
    doc, failed = _arrive(st, doc_id, "uploadFeedDocument")
    if failed is not None:
        return failed
    if doc is None or doc.get("kind") != "input":
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    # the content type is part of the pre-signed URL's signature on S3
    if request.headers.get("Content-Type", "") != doc["contentType"]:
        return _s3_error(403, "SignatureDoesNotMatch",
                         "The request signature we calculated does not match the signature you "
                         "provided. Check the Content-Type header.")
    with st.lock:
        doc["content"] = request.get_data()
        doc["uploaded"] = True
    return Response(b"", status=200)


@bp.get("/_documents/<doc_id>")
def download(doc_id: str) -> Response:
    st = _state()
    doc, failed = _arrive(st, doc_id, "downloadFeedDocument")
    if failed is not None:
        return failed
    if doc is None or doc.get("content") is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    return Response(doc["content"], status=200, mimetype=doc.get("contentType") or
                    "application/octet-stream")
