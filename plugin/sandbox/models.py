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
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema

log = logging.getLogger(__name__)

_warned_missing = False


@dataclass(frozen=True)
class OperationSpec:
    operation_id: str
    model_file: str
    method: str
    path: str  # template with {name} placeholders, Amazon's own spelling
    rate: float  # fallback when the model is absent
    burst: int


# The operations the sandbox serves. Rate and burst here are only the fallback:
# when the model is present its Usage Plan table wins.
OPERATIONS: dict[str, OperationSpec] = {
    spec.operation_id: spec
    for spec in [
        OperationSpec("getMarketplaceParticipations", "sellers-v1.json", "GET",
                      "/sellers/v1/marketplaceParticipations", 0.016, 15),
        OperationSpec("searchOrders", "orders-2026-01-01.json", "GET",
                      "/orders/2026-01-01/orders", 0.0056, 20),
        OperationSpec("getOrder", "orders-2026-01-01.json", "GET",
                      "/orders/2026-01-01/orders/{orderId}", 0.5, 30),
        OperationSpec("confirmShipment", "orders-v0.json", "POST",
                      "/orders/v0/orders/{orderId}/shipmentConfirmation", 2, 10),
        OperationSpec("getListingsItem", "listings-items-2021-08-01.json", "GET",
                      "/listings/2021-08-01/items/{sellerId}/{sku}", 5, 10),
        OperationSpec("putListingsItem", "listings-items-2021-08-01.json", "PUT",
                      "/listings/2021-08-01/items/{sellerId}/{sku}", 5, 10),
        OperationSpec("patchListingsItem", "listings-items-2021-08-01.json", "PATCH",
                      "/listings/2021-08-01/items/{sellerId}/{sku}", 5, 5),
        OperationSpec("deleteListingsItem", "listings-items-2021-08-01.json", "DELETE",
                      "/listings/2021-08-01/items/{sellerId}/{sku}", 5, 5),
        OperationSpec("createFeedDocument", "feeds-2021-06-30.json", "POST",
                      "/feeds/2021-06-30/documents", 0.5, 15),
        OperationSpec("createFeed", "feeds-2021-06-30.json", "POST",
                      "/feeds/2021-06-30/feeds", 0.0083, 15),
        OperationSpec("getFeeds", "feeds-2021-06-30.json", "GET",
                      "/feeds/2021-06-30/feeds", 0.0222, 10),
        OperationSpec("getFeed", "feeds-2021-06-30.json", "GET",
                      "/feeds/2021-06-30/feeds/{feedId}", 2, 15),
        OperationSpec("getFeedDocument", "feeds-2021-06-30.json", "GET",
                      "/feeds/2021-06-30/documents/{feedDocumentId}", 0.0222, 10),
        OperationSpec("searchCatalogItems", "catalog-items-2022-04-01.json", "GET",
                      "/catalog/2022-04-01/items", 2, 2),
        OperationSpec("getDefinitionsProductType", "product-type-definitions-2020-09-01.json", "GET",
                      "/definitions/2020-09-01/productTypes/{productType}", 5, 10),
    ]
}

FEED_SCHEMA_FILE = "json-listings-feed-schema-v2.json"
REPORT_SCHEMA_FILE = "json-listings-feed-processing-report-schema-v2.json"


def default_models_dir() -> Path:
    env = os.environ.get("AMAZON_TR_MODELS_DIR")
    if env:
        return Path(env)
    # Same folder as Path(plugin.__file__).parents[2]/..., computed from this
    # module so it also works while plugin/ has no __init__.py yet.
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


_USAGE_ROW = re.compile(r"\|\s*([0-9.]+)\s*\|\s*([0-9.]+)\s*\|")


def parse_usage_plan(description: str) -> tuple[float, int] | None:
    m = _USAGE_ROW.search(description or "")
    if not m:
        return None
    return float(m.group(1)), int(float(m.group(2)))


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
        spec = OPERATIONS[operation_id]
        return spec.rate, spec.burst

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
        for p in params:
            name, where = p["name"], p["in"]
            if where == "path":
                raw = path_values.get(name)
                if raw is None or raw == "":
                    raise ValidationProblem(f"Missing required path parameter '{name}'.")
                parsed[name] = _coerce(p, raw)
            elif where == "query":
                values = query.get(name)
                if not values:
                    if p.get("required"):
                        raise ValidationProblem(f"Missing required parameter '{name}'.")
                    continue
                if p.get("type") == "array":
                    items: list[str] = []
                    for v in values:
                        items.extend(x for x in v.split(","))
                    parsed[name] = _coerce(p, items)
                else:
                    parsed[name] = _coerce(p, values[-1])
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
                parsed["body"] = body
        # unknown query parameters are ignored by Amazon, and so here
        return parsed

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
             "identifiers", "requirements"}
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
