"""Conformance checks against the official Swagger 2.0 spec (SW21).

The spec is vendored in the package (``payjournal/emulator/spec/``, source and date in its
README); :func:`subset` extracts the operations the emulator implements and the definitions
they reference. A missing or edited spec file fails every test that checks an exchange.

Rules (the deliberate leniencies are listed in ``docs/emulator.md``):

* a 2xx answer must use a status documented for the operation and match its schema, with
  **no properties outside the definition**; every property may be ``null`` (Swagger 2.0 has no
  nullable, the real API sends nulls); ``date-time`` accepts a missing zone; ``uuid`` checked;
* a request body that the emulator *accepted* (2xx) must match the body schema;
* an error answer with a JSON body must be Visma's error document.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

import httpx2
import jsonschema
import jsonschema_rs

from payjournal.emulator.spec import load_spec

IMPLEMENTED: frozenset[tuple[str, str]] = frozenset(
    {
        ("get", "/v2/companysettings"),
        ("get", "/v2/fiscalyears"),
        ("post", "/v2/fiscalyears"),
        ("get", "/v2/fiscalyears/{id}"),
        ("get", "/v2/accounts"),
        ("get", "/v2/accounts/{fiscalyearId}"),
        ("get", "/v2/accounts/{fiscalyearId}/{accountNumber}"),
        ("get", "/v2/costcenters"),
        ("get", "/v2/costcenteritems/{itemId}"),
        ("get", "/v2/projects"),
        ("get", "/v2/projects/{id}"),
        ("get", "/v2/vouchers"),
        ("post", "/v2/vouchers"),
        ("get", "/v2/vouchers/{fiscalyearId}"),
        ("get", "/v2/vouchers/{fiscalyearId}/{voucherId}"),
        ("get", "/v2/voucherdrafts"),
        ("post", "/v2/voucherdrafts"),
        ("get", "/v2/voucherdrafts/{voucherDraftId}"),
        ("post", "/v2/voucherdrafts/{voucherDraftId}/convert"),
        ("get", "/v2/attachments"),
        ("post", "/v2/attachments"),
        ("get", "/v2/attachments/{attachmentId}"),
        ("post", "/v2/attachmentlinks"),
    }
)


def extract_subset(full: dict[str, Any]) -> dict[str, Any]:
    """The implemented operations of ``full`` and the closure of their definitions."""
    paths: dict[str, Any] = {}
    for method, path in sorted(IMPLEMENTED, key=lambda mp: (mp[1], mp[0])):
        op = full["paths"][path][method]
        keep = ("operationId", "description", "parameters", "responses")
        paths.setdefault(path, {})[method] = {k: op[k] for k in keep if k in op}
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/definitions/") and ref.split("/")[-1] not in names:
                names.add(ref.split("/")[-1])
                walk(full["definitions"][ref.split("/")[-1]])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(paths)
    return {"paths": paths, "definitions": {n: full["definitions"][n] for n in sorted(names)}}


def _nullable(schema: Any, strict: bool, partial: bool = False) -> Any:
    """Every property may be null; with ``strict`` no undeclared properties; with
    ``partial`` (an OData ``$select``) no required ones."""
    if isinstance(schema, list):
        return [_nullable(item, strict, partial) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {
        k: _nullable(v, strict, partial)
        for k, v in schema.items()
        if not (partial and k == "required")
    }
    if "properties" in schema:
        out["properties"] = {
            name: {"anyOf": [_nullable(prop, strict, partial), {"type": "null"}]}
            for name, prop in schema["properties"].items()
        }
        if strict:
            out["additionalProperties"] = False
    return out


_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value.replace("Z", "+00:00")))


@cache
def subset() -> dict[str, Any]:
    """The implemented operations of the vendored official spec."""
    return extract_subset(load_spec())


@cache
def _validator(ref: str, strict: bool, partial: bool = False) -> jsonschema.Draft4Validator:
    definitions = _nullable(copy.deepcopy(subset()["definitions"]), strict, partial)
    schema = {"$ref": ref, "definitions": definitions}
    return jsonschema.Draft4Validator(schema, format_checker=_FORMATS)


def _template_regex(template: str) -> re.Pattern[str]:
    # ASP.NET routes case-insensitively (``/v2/Vouchers``), so the checker matches that way too
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$", re.IGNORECASE)


def find_operation(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """The spec operation for a concrete request (literal segments win over parameters)."""
    candidates = [
        (template.count("{"), template, ops[method.lower()])
        for template, ops in subset()["paths"].items()
        if method.lower() in ops and _template_regex(template).match(path)
    ]
    if not candidates:
        return None
    _, template, op = min(candidates, key=lambda c: c[0])
    return template, op


#: The compiled twin of each validator (by its ``id``; validators live as long as the cache).
_compiled: dict[int, jsonschema_rs.Validator] = {}


def _compiled_twin(validator: jsonschema.Draft4Validator) -> jsonschema_rs.Validator:
    """The same schema and formats compiled by jsonschema-rs: it tells valid from invalid
    100× faster than ``iter_errors``, which builds a child validator for every ``anyOf`` of a
    nullable property — a page of vouchers took seconds, and the chaos test minutes."""
    twin = _compiled.get(id(validator))
    if twin is None:
        twin = jsonschema_rs.Draft4Validator(
            _plain_refs(validator.schema),
            formats={"uuid": _is_uuid_text, "date-time": _is_datetime_text},
            validate_formats=True,
        )
        _compiled[id(validator)] = twin
    return twin


def _plain_refs(schema: Any) -> Any:
    """The schema with definition names that are valid in a URI (the spec's
    ``PaginatedResponse[CostCenterApi]`` is not: jsonschema-rs refuses the bracket)."""
    if isinstance(schema, list):
        return [_plain_refs(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _plain_refs(value) for key, value in schema.items()}
    if isinstance(out.get("$ref"), str):
        out["$ref"] = re.sub(r"[^A-Za-z0-9_#/.-]", "_", out["$ref"])
    if isinstance(out.get("definitions"), dict):
        out["definitions"] = {
            re.sub(r"[^A-Za-z0-9_.-]", "_", name): value
            for name, value in out["definitions"].items()
        }
    return out


def _is_uuid_text(value: str) -> bool:
    try:
        return _is_uuid(value)
    except ValueError:
        return False


def _is_datetime_text(value: str) -> bool:
    try:
        return _is_datetime(value)
    except ValueError:
        return False


def _problems(validator: jsonschema.Draft4Validator, document: Any, what: str) -> list[str]:
    """What departs from the schema, worded by ``jsonschema`` (the compiled twin only finds out
    quickly that nothing does)."""
    if _compiled_twin(validator).is_valid(document):
        return []
    return [
        f"{what}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def check_exchange(
    method: str,
    path: str,
    request_body: bytes,
    status: int,
    content_type: str,
    body: bytes,
    selected: bool = False,
) -> list[str]:
    """Every way one request/answer pair departs from the spec (empty = conforms)."""
    found = find_operation(method, path)
    if found is None:
        return []
    template, op = found
    where = f"{method} {template} → {status}"
    if 200 <= status < 300:
        return _check_success(op, where, status, request_body, body, selected)
    if "json" in content_type and body:
        return _check_error(where, json.loads(body, parse_float=Decimal))
    if status == 401 or status >= 500 or status == 499:
        return []
    return [f"{where}: error answer without a JSON body"]


def _check_success(
    op: dict[str, Any], where: str, status: int, request_body: bytes, body: bytes, selected: bool
) -> list[str]:
    documented = op["responses"].get(str(status))
    if documented is None:
        return [f"{where}: status not documented ({sorted(op['responses'])})"]
    problems: list[str] = []
    ref = documented.get("schema", {}).get("$ref")
    if ref:
        document = json.loads(body, parse_float=Decimal)
        problems += _problems(_validator(ref, True, selected), document, f"{where} response")
    body_param = next((p for p in op.get("parameters", []) if p["in"] == "body"), None)
    if body_param and request_body:
        sent = json.loads(request_body, parse_float=Decimal)
        problems += _problems(
            _validator(body_param["schema"]["$ref"], False), sent, f"{where} request"
        )
    return problems


def _check_error(where: str, document: Any) -> list[str]:
    if not isinstance(document, dict):
        return [f"{where}: error body is not an object"]
    problems = []
    if not isinstance(document.get("ErrorCode"), int):
        problems.append(f"{where}: ErrorCode missing")
    if not isinstance(document.get("DeveloperErrorMessage"), str):
        problems.append(f"{where}: DeveloperErrorMessage missing")
    try:
        uuid.UUID(str(document.get("ErrorId")))
    except ValueError:
        problems.append(f"{where}: ErrorId is not a GUID")
    if not isinstance(document.get("Errors"), list):
        problems.append(f"{where}: Errors is not a list")
    return problems


class ConformingTransport(httpx2.BaseTransport):
    """Wraps a sync transport; every ``/v2`` exchange through it is checked against the spec.

    A departure raises ``AssertionError`` out of the client call (no client catches it) and is
    kept in ``problems`` so a fixture can also assert on it at teardown."""

    def __init__(self, inner: httpx2.BaseTransport) -> None:
        self._inner = inner
        self.problems: list[str] = []
        self.checked = 0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        body = request.read()
        response = self._inner.handle_request(request)
        response.read()
        found = check_exchange(
            request.method,
            request.url.path,
            body,
            response.status_code,
            response.headers.get("content-type", ""),
            response.content,
            selected="$select" in request.url.params,
        )
        self.checked += find_operation(request.method, request.url.path) is not None
        self.problems += found
        assert not found, "\n".join(found)
        return response

    def close(self) -> None:
        self._inner.close()
