"""Reads Amazon's OpenAPI models at run time and checks traffic against them.

The models are reference data we must not copy into the repo, so they are
looked up on disk (AMAZON_TR_MODELS_DIR, else ``shared/sp-api-models`` beside
the checkout). Without them the sandbox still answers, only unchecked.
"""
from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema

from ..spapi.usage_plans import DEFAULT_PLAN, USAGE_PLANS, parse_usage_plan

log = logging.getLogger(__name__)

_warned_missing = False


@dataclass(frozen=True)
class OperationSpec:
    operation_id: str
    model_file: str
    method: str
    path: str  # template with {name} placeholders, Amazon's own spelling


# The operations the sandbox serves. Their rate limits come from the model's
# Usage Plan table; without the model, from the client's USAGE_PLANS.
OPERATIONS: dict[str, OperationSpec] = {
    spec.operation_id: spec
    for spec in [
        OperationSpec("getMarketplaceParticipations", "sellers-v1.json", "GET",
                      "/sellers/v1/marketplaceParticipations"),
        OperationSpec("searchOrders", "orders-2026-01-01.json", "GET",
                      "/orders/2026-01-01/orders"),
        OperationSpec("getOrder", "orders-2026-01-01.json", "GET",
                      "/orders/2026-01-01/orders/{orderId}"),
        OperationSpec("confirmShipment", "orders-v0.json", "POST",
                      "/orders/v0/orders/{orderId}/shipmentConfirmation"),
        OperationSpec("searchListingsItems", "listings-items-2021-08-01.json", "GET", "/listings/2021-08-01/items/{sellerId}"),
        OperationSpec("getListingsItem", "listings-items-2021-08-01.json", "GET",
                      "/listings/2021-08-01/items/{sellerId}/{sku}"),
        OperationSpec("putListingsItem", "listings-items-2021-08-01.json", "PUT",
                      "/listings/2021-08-01/items/{sellerId}/{sku}"),
        OperationSpec("patchListingsItem", "listings-items-2021-08-01.json", "PATCH",
                      "/listings/2021-08-01/items/{sellerId}/{sku}"),
        OperationSpec("deleteListingsItem", "listings-items-2021-08-01.json", "DELETE",
                      "/listings/2021-08-01/items/{sellerId}/{sku}"),
        OperationSpec("createFeedDocument", "feeds-2021-06-30.json", "POST",
                      "/feeds/2021-06-30/documents"),
        OperationSpec("createFeed", "feeds-2021-06-30.json", "POST",
                      "/feeds/2021-06-30/feeds"),
        OperationSpec("getFeeds", "feeds-2021-06-30.json", "GET",
                      "/feeds/2021-06-30/feeds"),
        OperationSpec("getFeed", "feeds-2021-06-30.json", "GET",
                      "/feeds/2021-06-30/feeds/{feedId}"),
        OperationSpec("cancelFeed", "feeds-2021-06-30.json", "DELETE", "/feeds/2021-06-30/feeds/{feedId}"),
        OperationSpec("getFeedDocument", "feeds-2021-06-30.json", "GET",
                      "/feeds/2021-06-30/documents/{feedDocumentId}"),
        OperationSpec("searchCatalogItems", "catalog-items-2022-04-01.json", "GET",
                      "/catalog/2022-04-01/items"),
        OperationSpec("getDefinitionsProductType", "product-type-definitions-2020-09-01.json", "GET",
                      "/definitions/2020-09-01/productTypes/{productType}"),
        OperationSpec("searchDefinitionsProductTypes", "product-type-definitions-2020-09-01.json", "GET",
                      "/definitions/2020-09-01/productTypes"),
    ]
}

FEED_SCHEMA_FILE = "json-listings-feed-schema-v2.json"
REPORT_SCHEMA_FILE = "json-listings-feed-processing-report-schema-v2.json"


def default_models_dir() -> Path:
    env = os.environ.get("AMAZON_TR_MODELS_DIR")
    if env:
        return Path(env)
    # ../shared/sp-api-models beside the project's checkout.
    return Path(__file__).resolve().parents[3] / "shared" / "sp-api-models"


_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse_date_time(value: str) -> datetime | None:
    """RFC 3339 date-time (seconds and offset required), or None."""
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        return None
    try:
        return datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return None


FORMAT_CHECKER = jsonschema.FormatChecker(formats=())


@FORMAT_CHECKER.checks("date-time")
def _is_date_time(value: Any) -> bool:
    # jsonschema only checks date-time when an optional package is present;
    # we need it always, since Amazon rejects dates without seconds or offset.
    if not isinstance(value, str):
        return True
    return parse_date_time(value) is not None


class ValidationProblem(Exception):
    """A request that Amazon would refuse with 400 InvalidInput."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ModelRegistry:
    """The official models loaded from one directory (maybe missing)."""

    def __init__(self, models_dir: str | os.PathLike | None = None) -> None:
        self.dir = Path(models_dir) if models_dir is not None else default_models_dir()
        self._docs: dict[str, dict] = {}
        self.available = self.dir.is_dir() and (self.dir / "sellers-v1.json").is_file()
        if not self.available:
            global _warned_missing
            if not _warned_missing:
                _warned_missing = True
                log.warning("SP-API models not found in %s; the sandbox runs without model "
                            "validation (set AMAZON_TR_MODELS_DIR)", self.dir)

    # -- loading -------------------------------------------------------------
    def document(self, filename: str) -> dict | None:
        if not self.available:
            return None
        if filename not in self._docs:
            path = self.dir / filename
            if not path.is_file():
                return None
            with path.open(encoding="utf-8") as fh:
                self._docs[filename] = json.load(fh)
        return self._docs[filename]

    def operation(self, operation_id: str) -> dict | None:
        spec = OPERATIONS[operation_id]
        doc = self.document(spec.model_file)
        if doc is None:
            return None
        return doc["paths"][spec.path][spec.method.lower()]

    def path_parameters(self, operation_id: str) -> list[dict]:
        spec = OPERATIONS[operation_id]
        doc = self.document(spec.model_file)
        if doc is None:
            return []
        item = doc["paths"][spec.path]
        params = list(item.get("parameters", []))
        params += item[spec.method.lower()].get("parameters", [])
        return [self._deref(doc, p) for p in params]

    @staticmethod
    def _deref(doc: dict, node: dict) -> dict:
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not ref:
            return node
        target: Any = doc
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        return target

    def rate_limit(self, operation_id: str) -> tuple[float, int]:
        op = self.operation(operation_id)
        if op is not None:
            plan = parse_usage_plan(op.get("description", ""))
            if plan:
                return plan
        return USAGE_PLANS.get(operation_id, DEFAULT_PLAN)

    # -- schemas -------------------------------------------------------------
    def _schema_with_definitions(self, doc: dict, schema: dict) -> dict:
        # Refs in the models are all "#/definitions/...": hang the model's
        # definitions on the root so they resolve without a registry.
        return {**schema, "definitions": doc.get("definitions", {})}

    def response_schema(self, operation_id: str, status: int) -> dict | None:
        op = self.operation(operation_id)
        if op is None:
            return None
        resp = op["responses"].get(str(status))
        if resp is None or "schema" not in resp:
            return None
        doc = self.document(OPERATIONS[operation_id].model_file)
        return self._schema_with_definitions(doc, resp["schema"])

    def json_schema(self, filename: str) -> dict | None:
        return self.document(filename)

    # -- checks --------------------------------------------------------------
    def validate_request(self, operation_id: str, path_values: dict[str, str],
                         query: dict[str, list[str]], body: Any, has_body: bool) -> dict[str, Any]:
        """Check a request against the model; return the parsed parameters.

        Raises ValidationProblem the way Amazon answers 400 InvalidInput.
        """
        params = self.path_parameters(operation_id)
        if not params and not self.available:
            return _untyped_parameters(path_values, query)
        parsed: dict[str, Any] = {}
        for name, value in self._read_parameters(operation_id, params, path_values, query, body, has_body):
            if isinstance(value, ValidationProblem):
                raise value
            parsed[name] = value
        # unknown query parameters are ignored by Amazon, and so here
        return parsed

    def _read_parameters(self, operation_id: str, params: list[dict], path_values: Mapping[str, str],
                         query: Mapping[str, list[str]], body: Any,
                         has_body: bool) -> Iterator[tuple[str, Any]]:
        """(name, parsed value) per parameter sent, or (name, ValidationProblem) when it is wrong."""
        for p in params:
            name, where = p["name"], p["in"]
            try:
                if where == "path":
                    raw = path_values.get(name)
                    if raw is None or raw == "":
                        raise ValidationProblem(f"Missing required path parameter '{name}'.")
                    yield name, _coerce(p, raw)
                elif where == "query":
                    values = query.get(name)
                    if not values:
                        if p.get("required"):
                            raise ValidationProblem(f"Missing required parameter '{name}'.")
                        continue
                    if p.get("type") == "array":
                        yield name, _coerce(p, [x for v in values for x in v.split(",")])
                    else:
                        yield name, _coerce(p, values[-1])
                elif where == "body":
                    if not has_body:
                        if p.get("required"):
                            raise ValidationProblem("Request body is missing or is not valid JSON.")
                        continue
                    doc = self.document(OPERATIONS[operation_id].model_file)
                    schema = self._schema_with_definitions(doc, p["schema"])
                    errors = sorted(
                        jsonschema.Draft4Validator(schema, format_checker=FORMAT_CHECKER).iter_errors(body),
                        key=lambda e: list(e.absolute_path))
                    if errors:
                        err = errors[0]
                        where_ = "/".join(str(x) for x in err.absolute_path) or "body"
                        raise ValidationProblem(f"Invalid request body at '{where_}': {err.message}")
                    yield "body", body
            except ValidationProblem as problem:
                yield name, problem

    def match(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        """The operation a request path names, and its decoded path values."""
        for op_id, spec in OPERATIONS.items():
            if spec.method != method:
                continue
            # One segment per placeholder: a SKU's slash must arrive encoded.
            found = re.fullmatch(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(spec.path)), path)
            if found:
                return op_id, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def check_request(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None,
                      *, prefix: str = "") -> tuple[str | None, list[str]]:
        """(operationId, problems) for a request a client sent; no problems means it conforms.

        Stricter than what the sandbox answers: it also flags what Amazon
        tolerates but a careful client never sends (repeated or unknown query
        parameters, a JSON body without its content type).
        """
        parts = urlsplit(url)
        path = parts.path[len(prefix):] if prefix and parts.path.startswith(prefix) else parts.path
        found = self.match(method, path)
        if not found:
            return None, [f"{method} {path} is no operation the sandbox knows"]
        op_id, path_values = found
        if self.operation(op_id) is None:
            return op_id, [f"the model of {op_id} is not available"]
        params = self.path_parameters(op_id)
        problems: list[str] = []
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        query: dict[str, list[str]] = {}
        for name, value in pairs:
            query.setdefault(name, []).append(value)
        if len(pairs) != len(query):
            problems.append("a query parameter is repeated; lists must be comma-separated")
        declared = {p["name"] for p in params if p["in"] == "query"}
        problems += [f"query parameter {name} is not in the model" for name in query if name not in declared]
        data = None
        if body:
            if "json" not in (headers.get("content-type") or ""):
                problems.append("JSON body sent without a JSON content type")
            try:
                data = json.loads(body)
            except ValueError:
                problems.append("body is not JSON")
        problems += [f"{name}: {value.message}" for name, value in
                     self._read_parameters(op_id, params, path_values, query, data, data is not None)
                     if isinstance(value, ValidationProblem)]
        if not headers.get("x-amz-access-token"):
            problems.append("x-amz-access-token header is missing")
        return op_id, problems

    def response_errors(self, operation_id: str, status: int, body: Any) -> list[str]:
        op = self.operation(operation_id)
        if op is None:
            return []
        if str(status) not in op["responses"]:
            return [f"status {status} is not a response the model declares"]
        schema = self.response_schema(operation_id, status)
        if schema is None:
            return []
        v = jsonschema.Draft4Validator(schema, format_checker=FORMAT_CHECKER)
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(body)]


def _untyped_parameters(path_values: dict[str, str], query: dict[str, list[str]]) -> dict[str, Any]:
    # Without the model we do not know which parameters are lists; the few
    # list parameters we rely on are named here so handlers still work.
    lists = {"marketplaceIds", "includedData", "fulfillmentStatuses", "fulfilledBy",
             "identifiers", "requirements", "withStatus", "withoutStatus", "withIssueSeverity"}
    out: dict[str, Any] = dict(path_values)
    for name, values in query.items():
        if name in lists:
            out[name] = [x for v in values for x in v.split(",")]
        elif name == "maxResultsPerPage" or name == "pageSize":
            try:
                out[name] = int(values[-1])
            except ValueError:
                raise ValidationProblem(f"Parameter '{name}' must be an integer.") from None
        else:
            out[name] = values[-1]
    return out


def _coerce(p: dict, raw: Any) -> Any:
    name = p["name"]
    typ = p.get("type", "string")
    if typ == "array":
        items_spec = {"name": name, **p.get("items", {"type": "string"})}
        if "maxItems" in p and len(raw) > p["maxItems"]:
            raise ValidationProblem(
                f"Parameter '{name}' has {len(raw)} values; at most {p['maxItems']} are allowed.")
        if "minItems" in p and len(raw) < p["minItems"]:
            raise ValidationProblem(
                f"Parameter '{name}' needs at least {p['minItems']} values.")
        if any(x == "" for x in raw):
            raise ValidationProblem(f"Parameter '{name}' contains an empty value.")
        return [_coerce(items_spec, x) for x in raw]
    value: Any = raw
    if typ == "integer":
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationProblem(f"Parameter '{name}' must be an integer, got '{raw}'.") from None
    elif typ == "number":
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValidationProblem(f"Parameter '{name}' must be a number, got '{raw}'.") from None
    elif typ == "boolean":
        if str(raw).lower() not in ("true", "false"):
            raise ValidationProblem(f"Parameter '{name}' must be true or false.")
        value = str(raw).lower() == "true"
    if "enum" in p and value not in p["enum"]:
        raise ValidationProblem(
            f"Invalid value '{raw}' for parameter '{name}'. Allowed: {', '.join(map(str, p['enum']))}.")
    if p.get("format") == "date-time" and parse_date_time(value) is None:
        raise ValidationProblem(
            f"Parameter '{name}' must be an ISO 8601 date-time with seconds and offset, got '{raw}'.")
    if isinstance(value, str):
        if "maxLength" in p and len(value) > p["maxLength"]:
            raise ValidationProblem(f"Parameter '{name}' is longer than {p['maxLength']} characters.")
        if "minLength" in p and len(value) < p["minLength"]:
            raise ValidationProblem(f"Parameter '{name}' is shorter than {p['minLength']} characters.")
        if "pattern" in p and not re.search(p["pattern"], value):
            raise ValidationProblem(f"Parameter '{name}' does not match {p['pattern']}.")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in p and value < p["minimum"]:
            raise ValidationProblem(f"Parameter '{name}' must be at least {p['minimum']}.")
        if "maximum" in p and value > p["maximum"]:
            raise ValidationProblem(f"Parameter '{name}' must be at most {p['maximum']}.")
    return value
