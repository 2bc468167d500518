"""A local HTTP server speaking the Salesforce REST API's shape, for the demo and the tests.

It serves what the Salesforce connector reads
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/):

- `POST /services/oauth2/token`: the client credentials flow (form body) or the JWT bearer flow
  (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`: the assertion's
  RS256 signature is verified with the connected app's certificate key, `jwt_public_key`, and
  its `iss`, `sub`, `aud`, `exp` claims checked), answering `{"access_token", "instance_url",
  "id", "token_type": "Bearer", "issued_at", "signature"}`, or HTTP 400 `{"error":
  "invalid_client" | "invalid_grant" | "invalid_client_id", "error_description"}` as Salesforce
  names the refusal
- `GET /services/data/vXX.X/query?q=<SOQL>` and `/queryAll` (which also returns deleted
  records): `{"totalSize", "done", "records": [{"attributes": {"type", "url"}, ...}],
  "nextRecordsUrl"}`, pages of `batch_size` records, the rest under
  `/services/data/vXX.X/query/<locator>-<offset>`
- SOQL of the shape `SELECT f, ... FROM Object [WHERE a op b AND ...] [ORDER BY f [ASC|DESC], ...]`
  (`What.Type`-style relationship fields answer as nested objects); an unknown field is HTTP 400
  `INVALID_FIELD`, as the real API answers; `SELECT COUNT() FROM ...` answers only `totalSize`
- Bulk API 2.0 query jobs
  (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm):
  `POST /services/data/vXX.X/jobs/query` `{"operation": "query" | "queryAll", "query"}` (no
  ORDER BY, LIMIT or COUNT(), as Bulk API 2.0 refuses them), `GET .../jobs/query/<id>` (state
  `UploadComplete`, `InProgress` for `bulk_polls` polls, then `JobComplete`, or `Failed` with
  `errorMessage` for an object in `SalesforceState.bulk_failures`), `GET .../jobs/query/<id>/
  results?maxRecords=&locator=`: CSV (header row of the queried field names, empty for null,
  `true`/`false`), the next set's locator in header `Sforce-Locator` (`null` after the last)
- a bearer token on every data request: HTTP 401 `INVALID_SESSION_ID` otherwise

Faults by the 1-based number of the data request (`FaultPlan.at_request`): `"limit"` (HTTP 403
`REQUEST_LIMIT_EXCEEDED`), `"500"` (HTTP 503), `"expire"` (every token revoked, then HTTP 401),
`"truncate"` (the JSON cut in half).
"""

from __future__ import annotations

import base64
import csv
import io
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
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from ingestion.demo.fake_api import FakeApiServer, FaultPlan, JsonHandler

DEFAULT_BATCH_SIZE = 2000  # Salesforce's default page of query results
_SELECT = re.compile(
    r"^select\s+(?P<fields>.+?)\s+from\s+(?P<object>\w+)"
    r"(?:\s+where\s+(?P<where>.+?))?(?:\s+order\s+by\s+(?P<order>.+?))?"
    r"(?:\s+limit\s+(?P<limit>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CONDITION = re.compile(r"^\s*([\w.]+)\s*(>=|<=|!=|=|>|<)\s*(.+?)\s*$")
_DATA_PATH = re.compile(r"^/services/data/v\d+\.\d+/(query|queryAll)(?:/(?P<locator>[\w-]+))?$")
_PICKLIST_PATH = re.compile(
    r"^/services/data/v\d+\.\d+/ui-api/object-info/Opportunity/picklist-values/"
    r"(?P<record_type>\w+)/StageName$"
)
# objects every org has, with or without records
STANDARD_OBJECTS = {
    "RecordType": [
        "Id",
        "Name",
        "DeveloperName",
        "SobjectType",
        "BusinessProcessId",
        "IsActive",
        "CreatedDate",
        "SystemModstamp",
    ]
}
_JOB_PATH = re.compile(
    r"^/services/data/v\d+\.\d+/jobs/query(?:/(?P<job>\w+)(?P<results>/results)?)?$"
)
JWT_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEFAULT_BULK_RECORDS = 50000  # a results set when the client names no maxRecords
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
    # the JWT bearer flow: the public key of the certificate uploaded to the connected app (PEM;
    # None: the app has no certificate), the pre-authorised user and the audience it expects
    jwt_public_key: str | None = None
    jwt_username: str = "integration@demo.example"
    login_url: str = "https://login.salesforce.com"
    # each opportunity record type's allowed stages (API names, in order): its business
    # process's `StageName` values, answered by the UI API's picklist-values resource
    record_type_stages: dict[str, list[str]] = field(default_factory=dict)


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

    def __init__(
        self, soql: str, org: SalesforceOrg, include_deleted: bool, bulk: bool = False
    ) -> None:
        match = _SELECT.match(soql.strip())
        if match is None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected query shape: {soql[:200]}")
        self.count_only = match["fields"].strip().upper() == "COUNT()"
        if bulk and (match["order"] or match["limit"] or self.count_only):
            raise SoqlError(
                "INVALIDJOB", "Bulk API 2.0 does not support ORDER BY, LIMIT or COUNT() here"
            )
        self.sobject = match["object"]
        if self.sobject not in org.objects and self.sobject not in STANDARD_OBJECTS:
            raise SoqlError("INVALID_TYPE", f"sObject type '{self.sobject}' is not supported.")
        records = org.objects.get(self.sobject, [])
        known = {name for record in records for name in record} | {"Id", "IsDeleted"}
        known |= set(STANDARD_OBJECTS.get(self.sobject, []))
        known |= set(org.fields.get(self.sobject, []))
        self.fields = (
            [] if self.count_only else [name.strip() for name in match["fields"].split(",")]
        )
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


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class BulkJob:
    """A Bulk API 2.0 query job: its query, state, and polls left before it completes."""

    id: str
    operation: str
    query: Query
    version: str
    polls_left: int
    state: str = "UploadComplete"
    error: str | None = None

    def info(self) -> dict[str, Any]:
        body = {
            "id": self.id,
            "operation": self.operation,
            "object": self.query.sobject,
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version.removeprefix("v")),
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
        }
        if self.state == "JobComplete":
            body["numberRecordsProcessed"] = len(self.query.records)
        if self.error is not None:
            body["errorMessage"] = self.error
        return body

    def advance(self, failure: str | None) -> None:
        """One poll: the job runs for `polls_left` polls, then completes (or fails)."""
        if self.state in ("JobComplete", "Failed", "Aborted"):
            return
        if self.polls_left > 0:
            self.polls_left -= 1
            self.state = "InProgress"
            return
        self.state = "Failed" if failure else "JobComplete"
        self.error = failure

    def results(self, offset: int, max_records: int) -> tuple[str, str]:
        """One set of results as CSV, and the locator of the next (`null` after the last)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.query.fields)
        for record in self.query.records[offset : offset + max_records]:
            writer.writerow([_csv_value(record.get(name)) for name in self.query.fields])
        following = offset + max_records
        if following >= len(self.query.records):
            return out.getvalue(), "null"
        return out.getvalue(), base64.urlsafe_b64encode(str(following).encode()).decode()


class SalesforceState:
    """The org being served and the tokens, open query locators and Bulk jobs of the fake API.

    `bulk_failures` makes every Bulk job on an object fail with that `errorMessage`."""

    def __init__(
        self,
        org: SalesforceOrg | Callable[[], SalesforceOrg],
        batch_size: int = DEFAULT_BATCH_SIZE,
        bulk_polls: int = 1,
    ) -> None:
        self._load = org if callable(org) else (lambda: org)
        self.batch_size = batch_size
        self.bulk_polls = bulk_polls
        self.bulk_failures: dict[str, str] = {}
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self.locators: dict[str, tuple[Query, str]] = {}
        self.jobs: dict[str, BulkJob] = {}
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
        if query.count_only:
            return {"totalSize": len(query.records), "done": True, "records": []}
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

    def create_job(self, operation: str, query: Query, version: str) -> BulkJob:
        with self.lock:
            job = BulkJob(
                f"750FAKE{next(self._ids):08d}", operation, query, version, self.bulk_polls
            )
            self.jobs[job.id] = job
            return job


class ApiError(Exception):
    """An answer other than 200: status and body."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


class _Handler(JsonHandler):
    server: SalesforceServer

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        body = self.read_body()
        if url.path == "/services/oauth2/token":
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            status, answer = self._token(form)
            self.send_json(status, answer)
            return
        self._data_request(lambda: self._create_job(url.path, body))

    def do_GET(self) -> None:  # noqa: N802
        self._data_request(self._get)

    def _data_request(self, answer: Callable[[], Any]) -> None:
        """Authenticate, inject the planned fault, then answer (JSON, or CSV for a bytes body
        with its headers)."""
        state = self.server.state
        number = self.server.record_request(self.path)
        fault = self.server.fault_for(number)
        if fault == "expire":
            state.revoke_tokens()
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if token not in state.tokens:
            self.send_json(
                401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
            )
            return
        if fault == "limit":
            self.send_json(403, [LIMIT_EXCEEDED])
            return
        if fault == "500":
            self.send_json(
                503, [{"message": "Server unavailable", "errorCode": "SERVER_UNAVAILABLE"}]
            )
            return
        try:
            body = answer()
        except SoqlError as error:
            self.send_json(400, [{"message": str(error), "errorCode": error.code}])
            return
        except ApiError as error:
            self.send_json(error.status, error.body)
            return
        if isinstance(body, tuple):
            self._send_csv(*body)
            return
        self.send_json(200, body, truncate=fault == "truncate", dumps=_dumps)

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        org = self.server.state.org
        grant = form.get("grant_type")
        if grant == "client_credentials":
            if (form.get("client_id"), form.get("client_secret")) != (
                org.client_id,
                org.client_secret,
            ):
                return 400, _refusal("invalid_client", "invalid client credentials")
        elif grant == JWT_GRANT_TYPE:
            refusal = _jwt_refusal(org, form.get("assertion") or "")
            if refusal is not None:
                return 400, refusal
        else:
            return 400, _refusal("unsupported_grant_type", "grant type not supported")
        return 200, {
            "access_token": self.server.state.issue_token(),
            "instance_url": self.server.url,
            "id": f"{self.server.url}/id/00DFAKE/005FAKE",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
            "signature": secrets.token_urlsafe(16),
        }

    def _get(self) -> Any:
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        version = url.path.split("/")[3] if url.path.count("/") >= 3 else ""
        job_path = _JOB_PATH.match(url.path)
        if job_path is not None and job_path["job"]:
            return self._job(job_path["job"], bool(job_path["results"]), params)
        picklist = _PICKLIST_PATH.match(url.path)
        if picklist is not None:
            return _stage_values(self.server.state.org, picklist["record_type"])
        match = _DATA_PATH.match(url.path)
        if match is None:
            raise ApiError(404, [{"errorCode": "NOT_FOUND", "message": "no such resource"}])
        state = self.server.state
        if match["locator"]:
            locator, _, offset = match["locator"].rpartition("-")
            if locator not in state.locators:
                raise SoqlError("INVALID_QUERY_LOCATOR", "invalid query locator")
            query, version = state.locators[locator]
            return state.page(query, version, int(offset))
        query = Query(params.get("q", ""), state.org, include_deleted=match[1] == "queryAll")
        return state.page(query, version, 0)

    def _create_job(self, path: str, body: bytes) -> Any:
        match = _JOB_PATH.match(path)
        if match is None or match["job"]:
            raise ApiError(404, [{"errorCode": "NOT_FOUND", "message": "no such resource"}])
        request = json.loads(body or b"{}")
        operation = request.get("operation")
        if operation not in ("query", "queryAll"):
            raise SoqlError("INVALIDJOB", f"invalid operation: {operation!r}")
        state = self.server.state
        query = Query(str(request.get("query", "")), state.org, operation == "queryAll", bulk=True)
        return state.create_job(operation, query, path.split("/")[3]).info()

    def _job(self, job_id: str, results: bool, params: dict[str, str]) -> Any:
        state = self.server.state
        job = state.jobs.get(job_id)
        if job is None:
            raise ApiError(
                404,
                [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}],
            )
        if not results:
            job.advance(state.bulk_failures.get(job.query.sobject))
            return job.info()
        if job.state != "JobComplete":
            raise ApiError(
                400,
                [{"errorCode": "INVALIDJOBSTATE", "message": f"job {job_id} is {job.state}"}],
            )
        locator = params.get("locator")
        offset = int(base64.urlsafe_b64decode(locator).decode()) if locator else 0
        max_records = int(params.get("maxRecords") or DEFAULT_BULK_RECORDS)
        text, following = job.results(offset, max_records)
        rows = max(0, text.count("\n") - 1)
        return text.encode(), {"Sforce-Locator": following, "Sforce-NumberOfRecords": str(rows)}

    def _send_csv(self, raw: bytes, headers: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(raw)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)


def _stage_values(org: SalesforceOrg, record_type: str) -> dict[str, Any]:
    """The UI API's picklist values of `StageName` for a record type."""
    if record_type not in org.record_type_stages:
        raise ApiError(
            404, [{"errorCode": "NOT_FOUND", "message": f"record type {record_type} not found"}]
        )
    labels = {s["ApiName"]: s["MasterLabel"] for s in org.objects.get("OpportunityStage", [])}
    return {
        "controllerValues": {},
        "defaultValue": None,
        "eTag": secrets.token_hex(8),
        "url": f"/services/data/v61.0/ui-api/object-info/Opportunity/picklist-values/"
        f"{record_type}/StageName",
        "values": [
            {"attributes": None, "label": labels.get(name, name), "validFor": [], "value": name}
            for name in org.record_type_stages[record_type]
        ],
    }


def _dumps(payload: Any) -> str:
    """JSON with Decimal money written as JSON numbers, digits kept."""
    return _DECIMAL.sub(r"\1", json.dumps(payload, ensure_ascii=False))


def _refusal(error: str, description: str) -> dict[str, str]:
    return {"error": error, "error_description": description}


def _jwt_refusal(org: SalesforceOrg, assertion: str) -> dict[str, str] | None:
    """Salesforce's answer to a JWT bearer assertion it refuses, None when it accepts it: the
    signature must verify with the certificate's public key, `iss` name the connected app,
    `aud` the login URL, `sub` a pre-authorised user, `exp` lie ahead."""
    if org.jwt_public_key is None:
        return _refusal("invalid_grant", "invalid assertion")
    try:
        claims = jwt.decode(
            assertion,
            org.jwt_public_key,
            algorithms=["RS256"],
            audience=org.login_url,
            options={"require": ["iss", "sub", "aud", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        return _refusal("invalid_grant", "expired authorization code")
    except jwt.InvalidAudienceError:
        return _refusal("invalid_grant", "audience is invalid")
    except jwt.PyJWTError:
        return _refusal("invalid_grant", "invalid assertion")
    if claims["iss"] != org.client_id:
        return _refusal("invalid_client_id", "client identifier invalid")
    if claims["sub"] != org.jwt_username:
        return _refusal("invalid_grant", "user hasn't approved this consumer")
    return None


class SalesforceServer(FakeApiServer):
    """The fake org's API; `url` is its base URL (the org's instance URL) once bound, `requests`
    the data requests' paths with their query, in order (token requests aside)."""

    thread_name = "fake-salesforce"

    def __init__(
        self,
        state: SalesforceState,
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(_Handler, faults, host, port)
        self.state = state
