"""Test helpers: a canned HTTP transport and a checker of requests against Amazon's models.

Kept in the package so service tests elsewhere can drive the real client
through a fake transport instead of mocking its methods. Nothing here runs in
production; ``jsonschema`` is imported only when a model check is asked for.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


@dataclass
class Sent:
    method: str
    url: str
    headers: CaseInsensitiveDict
    body: bytes | None
    timeout: Any

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query, keep_blank_values=True))

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def form(self) -> dict[str, str]:
        text = self.body.decode() if isinstance(self.body, bytes) else (self.body or "")
        return dict(parse_qsl(text, keep_blank_values=True))


Reply = tuple  # (status, body, headers) or (status, body)


def reply(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> tuple:
    """A canned answer: dicts and lists become JSON, bytes and str go as they are."""
    return (status, body, headers or {})


class FakeTransport(BaseAdapter):
    """A requests adapter that answers from a handler instead of the network.

    ``handler(sent)`` returns ``(status, body[, headers])`` or an exception
    instance to raise (e.g. ``requests.ConnectTimeout()``).
    """

    def __init__(self, handler: Callable[[Sent], Any]) -> None:
        super().__init__()
        self.handler = handler
        self.sent: list[Sent] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        sent = Sent(request.method, request.url, CaseInsensitiveDict(request.headers), body, timeout)
        self.sent.append(sent)
        result = self.handler(sent)
        if isinstance(result, BaseException):
            raise result
        status, payload, *rest = result
        headers = dict(rest[0]) if rest else {}
        if isinstance(payload, (dict, list)):
            content = json.dumps(payload).encode("utf-8")
            headers.setdefault("content-type", "application/json")
        elif isinstance(payload, str):
            content = payload.encode("utf-8")
        else:
            content = payload or b""
        response = requests.Response()
        response.status_code = status
        response._content = content
        response.headers = CaseInsensitiveDict(headers)
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        response.reason = "canned"
        return response

    def close(self) -> None:
        pass


def fake_session(handler: Callable[[Sent], Any]) -> tuple[requests.Session, FakeTransport]:
    session = requests.Session()
    transport = FakeTransport(handler)
    session.mount("http://", transport)
    session.mount("https://", transport)
    return session, transport


# --------------------------------------------------------------------------- models

MODEL_FILES = (
    "sellers-v1.json",
    "orders-2026-01-01.json",
    "orders-v0.json",
    "listings-items-2021-08-01.json",
    "feeds-2021-06-30.json",
    "catalog-items-2022-04-01.json",
    "product-type-definitions-2020-09-01.json",
)

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_USAGE_ROW = re.compile(r"\|\s*(?:Default\s*\|\s*)?([0-9.]+)\s*\|\s*([0-9]+)\s*\|")


def usage_plan_from_description(description: str) -> tuple[float, int] | None:
    """The default (rate, burst) in an operation's "Usage Plan" markdown table."""
    start = description.find("Usage Plan")
    if start < 0:
        return None
    match = _USAGE_ROW.search(description, start)
    if not match:
        return None
    return float(match.group(1)), int(match.group(2))


@dataclass
class _Operation:
    model: dict
    method: str
    template: str
    pattern: re.Pattern
    spec: dict


class ModelChecker:
    """Checks a sent request against the OpenAPI model of its operation."""

    def __init__(self, models_dir: str | Path) -> None:
        self.models_dir = Path(models_dir)
        self.operations: dict[str, _Operation] = {}
        for name in MODEL_FILES:
            model = json.loads((self.models_dir / name).read_text(encoding="utf-8"))
            for template, item in model["paths"].items():
                shared = item.get("parameters", [])
                for method, spec in item.items():
                    if method == "parameters":
                        continue
                    if spec["operationId"] in self.operations:
                        # Orders v0 reuses 2026-01-01's names (getOrder…); v0 is
                        # deprecated, so the newer model keeps the name.
                        continue
                    spec = dict(spec, parameters=list(shared) + list(spec.get("parameters", [])))
                    regex = "^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(template)) + "$"
                    self.operations[spec["operationId"]] = _Operation(
                        model, method.upper(), template, re.compile(regex), spec
                    )

    def schema_validator(self, model: dict, ref: str):
        import jsonschema

        schema = {"$ref": ref, "definitions": model["definitions"]}
        # Amazon refuses a body date-time without seconds or offset (shipDate…),
        # and jsonschema checks formats only when asked to.
        checker = jsonschema.FormatChecker(formats=())
        checker.checks("date-time")(lambda value: not isinstance(value, str) or bool(_DATE_TIME.match(value)))
        return jsonschema.Draft4Validator(schema, format_checker=checker)

    def match(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        for op_id, op in self.operations.items():
            if op.method != method:
                continue
            m = op.pattern.match(path)
            if m:
                names = re.findall(r"\{([^}]+)\}", op.template)
                return op_id, {n: unquote(v) for n, v in zip(names, m.groups())}
        return None

    def check(self, sent: Sent, *, prefix: str = "") -> tuple[str | None, list[str]]:
        """(operationId, problems) for one request; no problems means it conforms."""
        path = sent.path
        if prefix and path.startswith(prefix):
            path = path[len(prefix):]
        found = self.match(sent.method, path)
        if not found:
            return None, [f"{sent.method} {path} is no operation in the models"]
        op_id, path_values = found
        op = self.operations[op_id]
        problems: list[str] = []
        query = parse_qsl(urlsplit(sent.url).query, keep_blank_values=True)
        names = [n for n, _ in query]
        if len(names) != len(set(names)):
            problems.append("a query parameter is repeated; lists must be comma-separated")
        values = dict(query)
        declared = set()
        for param in op.spec["parameters"]:
            if "$ref" in param:
                continue
            name, where = param["name"], param["in"]
            declared.add((name, where))
            if where == "path":
                value = path_values.get(name)
                if not value:
                    problems.append(f"path parameter {name} is empty")
            elif where == "query":
                if name not in values:
                    if param.get("required"):
                        problems.append(f"required query parameter {name} is missing")
                    continue
                problems += self._check_value(name, values[name], param)
            elif where == "body":
                if not sent.body:
                    if param.get("required"):
                        problems.append("required JSON body is missing")
                    continue
                if "json" not in (sent.headers.get("content-type") or ""):
                    problems.append("JSON body sent without a JSON content type")
                try:
                    body = json.loads(sent.body)
                except ValueError:
                    problems.append("body is not JSON")
                    continue
                validator = self.schema_validator(op.model, param["schema"]["$ref"])
                problems += [f"body: {e.message} at {list(e.absolute_path)}" for e in validator.iter_errors(body)]
        for name in values:
            if (name, "query") not in declared:
                problems.append(f"query parameter {name} is not in the model")
        if not sent.headers.get("x-amz-access-token"):
            problems.append("x-amz-access-token header is missing")
        return op_id, problems

    @staticmethod
    def _check_value(name: str, raw: str, param: dict) -> list[str]:
        problems = []
        kind = param.get("type")
        if kind == "array":
            items = raw.split(",") if raw else []
            if not items:
                problems.append(f"{name} is an empty list")
            if "maxItems" in param and len(items) > param["maxItems"]:
                problems.append(f"{name} has {len(items)} items, more than {param['maxItems']}")
            enum = (param.get("items") or {}).get("enum")
            for item in items:
                if enum and item not in enum:
                    problems.append(f"{name} item {item!r} is not one of the model's values")
        elif kind == "integer":
            try:
                number = int(raw)
            except ValueError:
                return [f"{name}={raw!r} is not an integer"]
            if "maximum" in param and number > param["maximum"]:
                problems.append(f"{name}={number} exceeds {param['maximum']}")
            if "minimum" in param and number < param["minimum"]:
                problems.append(f"{name}={number} is below {param['minimum']}")
        elif kind == "boolean":
            if raw not in ("true", "false"):
                problems.append(f"{name}={raw!r} is not a boolean")
        else:
            if param.get("enum") and raw not in param["enum"]:
                problems.append(f"{name}={raw!r} is not one of the model's values")
            if param.get("format") == "date-time":
                if not _DATE_TIME.match(raw):
                    problems.append(f"{name}={raw!r} is not ISO 8601 with seconds and an offset")
                else:
                    datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return problems


# --------------------------------------------------------------------------- wiring

TEST_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
TEST_ENDPOINT = "https://sellingpartnerapi-eu.amazon.com"


def token_reply(access_token: str = "Atza|fake-access", expires_in: int = 3600, **extra: Any) -> tuple:
    return reply(200, {"access_token": access_token, "token_type": "bearer", "expires_in": expires_in, **extra})


def canned_client(handler: Callable[[Sent], Any], *, clock: Any = None, endpoint: str = TEST_ENDPOINT,
                  seller_id: str | None = "A1SELLERTR", **options: Any):
    """An SPAPIClient and its LWAClient on one FakeTransport.

    Token requests are answered with a fresh access token unless ``handler``
    answers them itself (it sees every request; return ``None`` to fall back).
    Returns ``(client, transport, clock)``.
    """
    import random

    from flask_amazon_tr.clock import SimulatedClock

    from .client import SPAPIClient
    from .lwa import LWAClient

    clock = clock or SimulatedClock(start=1_767_225_600.0)

    def route(sent: Sent):
        result = handler(sent)
        if result is None and sent.url.startswith(TEST_TOKEN_URL):
            return token_reply()
        if result is None:
            return reply(404, {"errors": [{"code": "NotFound", "message": "no canned answer"}]})
        return result

    session, transport = fake_session(route)
    lwa = LWAClient(token_url=TEST_TOKEN_URL, client_id="amzn1.application-oa2-client.test",
                    client_secret="test-secret", session=session, clock=clock)
    options.setdefault("random", random.Random(1234))
    client = SPAPIClient(endpoint=endpoint, lwa=lwa, refresh_token="Atzr|test-refresh", seller_id=seller_id,
                         session=session, clock=clock, **options)
    return client, transport, clock
