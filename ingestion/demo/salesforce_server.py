"""A local HTTP server speaking the Salesforce REST API's shape, for the demo and the tests.

It serves what the Salesforce connector reads
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/):

- `POST /services/oauth2/token`: the client credentials flow (form body), answering
  `{"access_token", "instance_url", "id", "token_type": "Bearer", "issued_at", "signature"}`,
  or HTTP 400 `{"error": "invalid_client", ...}` for wrong credentials
- `GET /services/data/vXX.X/query?q=<SOQL>` and `/queryAll` (which also returns deleted
  records): `{"totalSize", "done", "records": [{"attributes": {"type", "url"}, ...}],
  "nextRecordsUrl"}`, pages of `batch_size` records, the rest under
  `/services/data/vXX.X/query/<locator>-<offset>`
- SOQL of the shape `SELECT f, ... FROM Object [WHERE a op b AND ...] [ORDER BY f [ASC|DESC], ...]`
  (`What.Type`-style relationship fields answer as nested objects); an unknown field is HTTP 400
  `INVALID_FIELD`, as the real API answers
- a bearer token on every data request: HTTP 401 `INVALID_SESSION_ID` otherwise

Faults by the 1-based number of the data request (`FaultPlan.at_request`): `"limit"` (HTTP 403
`REQUEST_LIMIT_EXCEEDED`), `"500"` (HTTP 503), `"expire"` (every token revoked, then HTTP 401),
`"truncate"` (the JSON cut in half).
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ingestion.demo.crm_server import FaultPlan

DEFAULT_BATCH_SIZE = 2000  # Salesforce's default page of query results
_SELECT = re.compile(
    r"^select\s+(?P<fields>.+?)\s+from\s+(?P<object>\w+)"
    r"(?:\s+where\s+(?P<where>.+?))?(?:\s+order\s+by\s+(?P<order>.+?))?"
    r"(?:\s+limit\s+(?P<limit>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CONDITION = re.compile(r"^\s*([\w.]+)\s*(>=|<=|!=|=|>|<)\s*(.+?)\s*$")
_DATA_PATH = re.compile(r"^/services/data/v\d+\.\d+/(query|queryAll)(?:/(?P<locator>[\w-]+))?$")
LIMIT_EXCEEDED = {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
_DECIMAL = re.compile(r'"__decimal__([-0-9.Ee+]+)__"')


@dataclass
class SalesforceOrg:
    """What the server holds: records per sObject as flat `{field: value}` dicts (datetimes as
    the API writes them, `2026-01-05T02:00:00.000+0000`; money as Decimal; a relationship field
    as its dotted name, `What.Type`), and the connected app's credentials."""

    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # fields an object has beyond those its records hold (an object with no records yet)
    fields: dict[str, list[str]] = field(default_factory=dict)
    client_id: str = "fake-connected-app"
    client_secret: str = "fake-connected-app-secret"


class SoqlError(ValueError):
    """A query the org cannot answer: (errorCode, message) as Salesforce names them."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _literal(text: str) -> Any:
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("\\'", "'")
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lower() == "null":
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return Decimal(text)


def _comparable(value: Any) -> Any:
    """Datetime text as an aware datetime, so `SystemModstamp >= <literal>` compares moments."""
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}T", value):
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _holds(record: dict[str, Any], name: str, operator: str, expected: Any) -> bool:
    actual = _comparable(record.get(name))
    if operator in ("=", "!="):
        return (actual == expected) == (operator == "=")
    if actual is None or expected is None:
        return False
    return {
        ">=": actual >= expected,
        "<=": actual <= expected,
        ">": actual > expected,
        "<": actual < expected,
    }[operator]


class Query:
    """One parsed SOQL query over an org's records."""

    def __init__(self, soql: str, org: SalesforceOrg, include_deleted: bool) -> None:
        match = _SELECT.match(soql.strip())
        if match is None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected query shape: {soql[:200]}")
        self.sobject = match["object"]
        if self.sobject not in org.objects:
            raise SoqlError("INVALID_TYPE", f"sObject type '{self.sobject}' is not supported.")
        records = org.objects[self.sobject]
        known = {name for record in records for name in record} | {"Id", "IsDeleted"}
        known |= set(org.fields.get(self.sobject, []))
        self.fields = [name.strip() for name in match["fields"].split(",")]
        conditions = []
        for part in re.split(r"\s+and\s+", match["where"] or "", flags=re.IGNORECASE):
            if not part.strip():
                continue
            condition = _CONDITION.match(part)
            if condition is None:
                raise SoqlError("MALFORMED_QUERY", f"unexpected condition: {part}")
            conditions.append((condition[1], condition[2], _literal(condition[3])))
        orders = [
            (item.split()[0], len(item.split()) > 1 and item.split()[1].upper() == "DESC")
            for item in (match["order"] or "").split(",")
            if item.strip()
        ]
        used = self.fields + [name for name, _, _ in conditions] + [name for name, _ in orders]
        for name in used:
            if name not in known:
                raise SoqlError(
                    "INVALID_FIELD", f"No such column '{name}' on entity '{self.sobject}'."
                )
        matched = [
            r
            for r in records
            if (include_deleted or not r.get("IsDeleted"))
            and all(_holds(r, *condition) for condition in conditions)
        ]
        for name, descending in reversed(orders):
            matched.sort(key=lambda r, n=name: (r.get(n) is None, _comparable(r.get(n))))
            if descending:
                matched.reverse()
        self.records = matched[: int(match["limit"])] if match["limit"] else matched

    def render(self, record: dict[str, Any], version: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "attributes": {
                "type": self.sobject,
                "url": f"/services/data/{version}/sobjects/{self.sobject}/{record['Id']}",
            }
        }
        for name in self.fields:
            value = record.get(name, False if name == "IsDeleted" else None)
            if "." in name:
                parent, child = name.split(".", 1)
                if value is None:
                    out.setdefault(parent, None)
                else:
                    nested = out.get(parent) or {"attributes": {"type": "Name"}}
                    nested[child] = value
                    out[parent] = nested
            else:
                out[name] = f"__decimal__{value}__" if isinstance(value, Decimal) else value
        return out


class SalesforceState:
    """The org being served and the tokens and open query locators of the fake API."""

    def __init__(
        self,
        org: SalesforceOrg | Callable[[], SalesforceOrg],
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self._load = org if callable(org) else (lambda: org)
        self.batch_size = batch_size
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self.locators: dict[str, tuple[Query, str]] = {}
        self._ids = itertools.count(1)
        self.lock = threading.Lock()

    @property
    def org(self) -> SalesforceOrg:
        """The org as of now (the demo's follows its advancing days)."""
        return self._load()

    def issue_token(self) -> str:
        with self.lock:
            token = "00DFAKE!" + secrets.token_urlsafe(24)
            self.tokens.add(token)
            self.tokens_issued += 1
            return token

    def revoke_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def page(self, query: Query, version: str, offset: int) -> dict[str, Any]:
        records = query.records[offset : offset + self.batch_size]
        body: dict[str, Any] = {
            "totalSize": len(query.records),
            "done": offset + self.batch_size >= len(query.records),
            "records": [query.render(r, version) for r in records],
        }
        if not body["done"]:
            with self.lock:
                locator = f"01gFAKE{next(self._ids):08d}"
                self.locators[locator] = (query, version)
            body["nextRecordsUrl"] = (
                f"/services/data/{version}/query/{locator}-{offset + self.batch_size}"
            )
        return body


class _Handler(BaseHTTPRequestHandler):
    server: SalesforceServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (quiet by default)
        return

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if url.path != "/services/oauth2/token":
            self._send(404, [{"errorCode": "NOT_FOUND", "message": "no such resource"}])
            return
        org = self.server.state.org
        if form.get("grant_type") != "client_credentials":
            self._send(400, {"error": "unsupported_grant_type", "error_description": "grant"})
            return
        if (form.get("client_id"), form.get("client_secret")) != (org.client_id, org.client_secret):
            self._send(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
            return
        self._send(
            200,
            {
                "access_token": self.server.state.issue_token(),
                "instance_url": self.server.url,
                "id": f"{self.server.url}/id/00DFAKE/005FAKE",
                "token_type": "Bearer",
                "issued_at": str(int(time.time() * 1000)),
                "signature": secrets.token_urlsafe(16),
            },
        )

    def do_GET(self) -> None:  # noqa: N802
        state = self.server.state
        url = urlsplit(self.path)
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        number = self.server.count_request(self.path)
        fault = self.server.faults.at_request.get(number)
        if fault == "expire":
            state.revoke_tokens()
        if token not in state.tokens:
            self._send(
                401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
            )
            return
        if fault == "limit":
            self._send(403, [LIMIT_EXCEEDED])
            return
        if fault == "500":
            self._send(503, [{"message": "Server unavailable", "errorCode": "SERVER_UNAVAILABLE"}])
            return
        match = _DATA_PATH.match(url.path)
        if match is None:
            self._send(404, [{"errorCode": "NOT_FOUND", "message": "no such resource"}])
            return
        version = url.path.split("/")[3]
        try:
            body = self._query(match, version, parse_qs(url.query).get("q", [""])[-1])
        except SoqlError as error:
            self._send(400, [{"message": str(error), "errorCode": error.code}])
            return
        self._send(200, body, truncate=fault == "truncate")

    def _query(self, match: re.Match[str], version: str, soql: str) -> dict[str, Any]:
        state = self.server.state
        if match["locator"]:
            locator, _, offset = match["locator"].rpartition("-")
            if locator not in state.locators:
                raise SoqlError("INVALID_QUERY_LOCATOR", "invalid query locator")
            query, version = state.locators[locator]
            return state.page(query, version, int(offset))
        query = Query(soql, state.org, include_deleted=match[1] == "queryAll")
        return state.page(query, version, 0)

    def _send(self, status: int, payload: Any, truncate: bool = False) -> None:
        raw = _DECIMAL.sub(r"\1", json.dumps(payload, ensure_ascii=False)).encode()
        if truncate:
            raw = raw[: max(1, len(raw) // 2)]
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


class SalesforceServer(ThreadingHTTPServer):
    """The HTTP server; `url` is its base URL (the org's instance URL) once bound."""

    daemon_threads = True

    def __init__(
        self,
        state: SalesforceState,
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__((host, port), _Handler)
        self.state = state
        self.faults = faults or FaultPlan()
        self.requests: list[str] = []  # data request paths with their query
        self._count_lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def count_request(self, path: str) -> int:
        with self._count_lock:
            self.requests.append(path)
            return len(self.requests)

    def start_in_thread(self) -> threading.Thread:
        """Serve in a daemon thread (tests); `shutdown()` stops it."""
        thread = threading.Thread(target=self.serve_forever, name="fake-salesforce", daemon=True)
        thread.start()
        return thread
