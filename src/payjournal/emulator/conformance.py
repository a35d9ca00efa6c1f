"""The emulator checks what it serves against Visma's official spec (``--check-spec``).

With :attr:`~payjournal.emulator.config.EmulatorConfig.check_spec` on, every ``/v2`` exchange
the emulator answers — whoever the client is: a test in this process, a worker in another
one, a program in another language — is validated against the vendored Swagger document
(:mod:`payjournal.emulator.spec`). A departure is logged (logger
``payjournal.emulator.conformance``), kept for ``GET /_emulator/conformance`` and, with
``spec_report``, appended to a file as one JSON line, so a test run can fail on it after the
fact. The spec must be there: a missing file fails at start, it is never skipped.

Rules (the deliberate leniencies are listed in ``docs/emulator.md``, "Conformance"):

* a 2xx answer must use a status documented for the operation and match its schema, with
  **no properties outside the definition**; every property may be ``null`` (Swagger 2.0 has no
  nullable, the real API sends nulls); ``date-time`` accepts a missing zone; ``uuid`` checked;
  under ``$select`` the ``required`` lists are not enforced (partial objects);
* a request body that the emulator *accepted* (2xx) must match the body schema;
* an error answer with a JSON body must be Visma's error document; a bodiless error is only
  allowed for 401 and injected 5xx.

This module needs ``jsonschema`` and ``jsonschema-rs`` (the ``emulator`` extra): the compiled
twin of each schema tells valid from invalid fast, ``jsonschema`` words the departures. Nothing
imports it unless the check is switched on.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jsonschema
import jsonschema_rs

from payjournal.emulator.spec import load_spec

log = logging.getLogger(__name__)

#: The operations of the spec the emulator implements (method, path template).
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
            name: _or_null(_nullable(prop, strict, partial))
            for name, prop in schema["properties"].items()
        }
        if strict:
            out["additionalProperties"] = False
    return out


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or ``null``: a typed schema takes ``null`` among its types (and its enum),
    a reference goes under ``anyOf`` — which costs ten times more to validate."""
    kind = schema.get("type")
    if isinstance(kind, str) and "$ref" not in schema:
        widened = {**schema, "type": [kind, "null"]}
        if "enum" in schema:
            widened["enum"] = [*schema["enum"], None]
        return widened
    return {"anyOf": [{"type": "null"}, schema]}


_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value.replace("Z", "+00:00")))


@cache
def subset() -> dict[str, Any]:
    """The implemented operations of the vendored official spec (a missing file raises)."""
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
    100× faster than ``iter_errors`` in pure Python."""
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


#: Departures of list items already checked, by (schema, strictness, item): a voucher or an
#: account is listed again and again, and pure-Python validation costs ~1 ms an object.
_ITEMS_CHECKED: dict[tuple[str, bool, bool, str], tuple[str, ...]] = {}
_ITEMS_KEPT = 50_000


def _item_ref(ref: str) -> str | None:
    """For a paged list (``PaginatedResponse[…]``) the reference of its ``Data`` items."""
    definition = subset()["definitions"].get(ref.rsplit("/", 1)[-1], {})
    data = definition.get("properties", {}).get("Data", {})
    items = data.get("items", {}) if data.get("type") == "array" else {}
    found = items.get("$ref")
    return found if isinstance(found, str) else None


def _problems_of(ref: str, strict: bool, partial: bool, raw: bytes, what: str) -> list[str]:
    """The departures of one JSON document; each item of a paged list is validated once."""
    document = json.loads(raw, parse_float=Decimal)
    item_ref = _item_ref(ref)
    data = document.get("Data") if isinstance(document, dict) else None
    if item_ref is None or not isinstance(data, list):
        return _problems(_validator(ref, strict, partial), document, what)
    problems = _problems(_validator(ref, strict, partial), {**document, "Data": []}, what)
    for index, item in enumerate(data):
        key = (item_ref, strict, partial, json.dumps(item, sort_keys=True, default=repr))
        found = _ITEMS_CHECKED.get(key)
        if found is None:
            found = tuple(_problems(_validator(item_ref, strict, partial), item, ""))
            if len(_ITEMS_CHECKED) >= _ITEMS_KEPT:
                _ITEMS_CHECKED.clear()
            _ITEMS_CHECKED[key] = found
        problems += [f"{what}: Data/{index}/{p.removeprefix(': ')}" for p in found]
    return problems


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
    try:
        if 200 <= status < 300:
            return _check_success(op, where, status, request_body, body, selected)
        if "json" in content_type and body:
            return _check_error(where, json.loads(body, parse_float=Decimal))
    except ValueError as exc:  # a body that is not JSON at all
        return [f"{where}: body is not JSON ({exc})"]
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
        problems += _problems_of(ref, True, selected, body, f"{where} response")
    body_param = next((p for p in op.get("parameters", []) if p["in"] == "body"), None)
    if body_param and request_body:
        ref = body_param["schema"]["$ref"]
        problems += _problems_of(ref, False, False, request_body, f"{where} request")
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


@dataclass
class Exchange:
    """One request and its answer as the emulator saw them on the wire (ASGI messages)."""

    method: str
    path: str
    selected: bool
    request_body: bytearray = field(default_factory=bytearray)
    status: int = 0
    content_type: str = ""
    body: bytearray = field(default_factory=bytearray)

    def received(self, message: Mapping[str, Any]) -> None:
        if message.get("type") == "http.request":
            self.request_body += message.get("body", b"")

    def sent(self, message: Mapping[str, Any]) -> None:
        if message.get("type") == "http.response.start":
            self.status = int(message["status"])
            headers = {k.lower(): v for k, v in message.get("headers", [])}
            self.content_type = headers.get(b"content-type", b"").decode("latin-1")
        elif message.get("type") == "http.response.body":
            self.body += message.get("body", b"")


class SpecCheck:
    """Validates every exchange of one emulator; keeps the count, the operations answered with
    a success and every departure (thread-safe: the emulator may serve several threads)."""

    def __init__(self, report: Path | None = None) -> None:
        subset()  # the spec must be there: a missing file fails now, not at the first request
        self.report = report
        self.checked = 0
        self.seen: set[tuple[str, str]] = set()
        self.problems: list[str] = []
        self._lock = threading.Lock()

    def start(self, method: str, path: str, query_string: bytes) -> Exchange | None:
        """An :class:`Exchange` to fill when ``method path`` is an operation of the spec."""
        if find_operation(method, path) is None:
            return None
        query = parse_qs(query_string.decode("latin-1"), keep_blank_values=True)
        return Exchange(method, path, selected="$select" in query)

    def finish(self, exchange: Exchange) -> list[str]:
        """Check a complete exchange; record and report what departs from the spec."""
        found = check_exchange(
            exchange.method,
            exchange.path,
            bytes(exchange.request_body),
            exchange.status,
            exchange.content_type,
            bytes(exchange.body),
            exchange.selected,
        )
        operation = find_operation(exchange.method, exchange.path)
        with self._lock:
            self.checked += 1
            if operation is not None and 200 <= exchange.status < 300:
                self.seen.add((exchange.method.lower(), operation[0]))
            self.problems += found
            if found and self.report is not None:
                at = datetime.now(UTC).isoformat(timespec="milliseconds")
                with self.report.open("a", encoding="utf-8") as out:
                    for problem in found:
                        out.write(json.dumps({"at": at, "problem": problem}) + "\n")
        for problem in found:
            log.warning("departs from Visma's spec: %s", problem)
        return found

    def summary(self) -> dict[str, Any]:
        """What ``GET /_emulator/conformance`` answers."""
        with self._lock:
            return {
                "enabled": True,
                "checked": self.checked,
                "operations": [f"{m.upper()} {p}" for m, p in sorted(self.seen)],
                "problems": list(self.problems),
                "report": str(self.report) if self.report else None,
            }
