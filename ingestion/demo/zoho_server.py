"""A local HTTP server speaking the Zoho CRM REST API's shape (v8), for the demo and the tests.

It serves what the Zoho connector reads (https://www.zoho.com/crm/developer/docs/api/v8/,
OpenAPI in github.com/zoho/crm-oas):

- `POST /oauth/v2/token` (the accounts server; here the same address): `grant_type=
  refresh_token` with `client_id`, `client_secret`, `refresh_token` in the form, answering
  `{"access_token", "api_domain", "token_type": "Bearer", "expires_in": 3600}`; a wrong client
  is HTTP 400 `{"error": "invalid_client"}`, a wrong refresh token HTTP 200 `{"error":
  "invalid_code"}`, as Zoho answers
- `GET /crm/v8/{module}?fields=...&sort_by=&sort_order=&per_page=&page=|page_token=`: `{"data":
  [...], "info": {"per_page", "count", "page", "more_records", "next_page_token",
  "previous_page_token", "page_token_expiry", "sort_by", "sort_order"}}`; `fields` is required
  (HTTP 400 `REQUIRED_PARAM_MISSING`), an unknown field is HTTP 400 `INVALID_DATA`; `page` past
  2,000 records is HTTP 400 `DISCRETE_PAGINATION_LIMIT_EXCEEDED`, `page_token` goes on
- header `If-Modified-Since`: only records with `Modified_Time` at or after it; HTTP 304 when
  there are none. An empty list is HTTP 204, no body
- `GET /crm/v8/{module}/deleted?type=all|recycle|permanent`, `GET /crm/v8/users?type=AllUsers`,
  `GET /crm/v8/Deals/{id}/Stage_History?fields=`, `GET /crm/v8/settings/layouts?module=Deals`,
  `GET /crm/v8/settings/pipeline?layout_id=`, `GET /crm/v8/settings/fields?module=Deals`
- `Authorization: Zoho-oauthtoken <token>` on every data request: HTTP 401 `INVALID_TOKEN`
  otherwise

Faults by the 1-based number of the data request (`FaultPlan.at_request`): `"429"` (HTTP 429
`TOO_MANY_REQUESTS`), `"500"` (HTTP 500 `INTERNAL_ERROR`), `"expire"` (every token revoked,
then HTTP 401), `"truncate"` (the JSON cut in half).
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ingestion.demo.fake_api import FakeApiServer, FaultPlan, JsonHandler

MAX_PER_PAGE = 200
PAGE_LIMIT_RECORDS = 2000
# the modules every org has, with or without records
STANDARD_MODULES = (
    "Deals",
    "Accounts",
    "Contacts",
    "Tasks",
    "Calls",
    "Events",
    "Notes",
)  # the `page` parameter reaches no record beyond this
_ERRORS = {
    "429": (429, "TOO_MANY_REQUESTS", "API limit exceeded, try again later"),
    "500": (500, "INTERNAL_ERROR", "Internal Server Error"),
}


@dataclass
class ZohoOrg:
    """What the server holds: records per module as the API answers them (lookups as
    `{"id", "name"}`, times as `2026-01-05T02:00:00+00:00`, money as Decimal), users, each deal's
    Stage_History rows, deleted records per module, the Deals layouts with their pipelines and
    the `Stage` picklist, and the OAuth client's credentials."""

    modules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # fields a module has beyond those its records hold (a module with no records yet)
    fields: dict[str, list[str]] = field(default_factory=dict)
    users: list[dict[str, Any]] = field(default_factory=list)
    stage_history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    deleted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    layouts: list[dict[str, Any]] = field(default_factory=list)
    pipelines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by layout id
    stage_picklist: list[dict[str, Any]] = field(default_factory=list)
    client_id: str = "1000.FAKEZOHOCLIENT"
    client_secret: str = "fake-zoho-client-secret"
    refresh_token: str = "1000.fake-refresh-token"


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value not in (None, "") else None


def _number(value: Any) -> Any:
    """Decimal money as a JSON number, as the API writes it (the source reads it as Decimal)."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class ApiError(ValueError):
    """An answer the API gives as an error: (HTTP status, code, message)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class ZohoState:
    """The org being served, the tokens issued and the open page tokens."""

    def __init__(self, org: ZohoOrg | Callable[[], ZohoOrg]) -> None:
        self._load = org if callable(org) else (lambda: org)
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self.page_tokens: dict[str, tuple[list[dict[str, Any]], int, dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self.lock = threading.Lock()

    @property
    def org(self) -> ZohoOrg:
        """The org as of now (the demo's follows its advancing days)."""
        return self._load()

    def issue_token(self) -> str:
        with self.lock:
            token = "1000." + secrets.token_hex(16)
            self.tokens.add(token)
            self.tokens_issued += 1
            return token

    def revoke_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def page(
        self, rows: list[dict[str, Any]], offset: int, per_page: int, info: dict[str, Any]
    ) -> dict[str, Any]:
        """One page of `rows` from `offset`, with a `next_page_token` while more remain."""
        more = offset + per_page < len(rows)
        body_info = {
            **info,
            "per_page": per_page,
            "count": len(rows[offset : offset + per_page]),
            "page": offset // per_page + 1,
            "more_records": more,
            "next_page_token": None,
            "previous_page_token": None,
            "page_token_expiry": None,
        }
        if more:
            with self.lock:
                token = f"{next(self._ids):06d}" + secrets.token_hex(8)
                self.page_tokens[token] = (rows, offset + per_page, info)
            body_info["next_page_token"] = token
            body_info["page_token_expiry"] = "2099-01-01T00:00:00+00:00"
        return {"data": rows[offset : offset + per_page], "info": body_info}


def _param(query: dict[str, list[str]], name: str) -> str | None:
    return query[name][-1] if name in query else None


class _Handler(JsonHandler):
    server: ZohoServer

    def do_POST(self) -> None:  # noqa: N802
        form = {k: v[-1] for k, v in parse_qs(self.read_body().decode()).items()}
        if urlsplit(self.path).path != "/oauth/v2/token":
            self.send_json(404, {"error": "invalid_url"})
            return
        org = self.server.state.org
        if form.get("grant_type") != "refresh_token":
            self.send_json(400, {"error": "unsupported_grant_type"})
            return
        if (form.get("client_id"), form.get("client_secret")) != (org.client_id, org.client_secret):
            self.send_json(400, {"error": "invalid_client"})
            return
        if form.get("refresh_token") != org.refresh_token:
            self.send_json(200, {"error": "invalid_code"})
            return
        self.send_json(
            200,
            {
                "access_token": self.server.state.issue_token(),
                "api_domain": self.server.api_domain or self.server.url,
                "token_type": "Bearer",
                "expires_in": 3600,
            },
        )

    def do_GET(self) -> None:  # noqa: N802
        state = self.server.state
        url = urlsplit(self.path)
        number = self.server.record_request(self.path)
        fault = self.server.fault_for(number)
        if fault == "expire":
            state.revoke_tokens()
        token = (self.headers.get("Authorization") or "").removeprefix("Zoho-oauthtoken ")
        if token not in state.tokens:
            self._error(401, "INVALID_TOKEN", "invalid oauth token")
            return
        if fault in _ERRORS:
            self._error(*_ERRORS[fault])
            return
        try:
            body = self._answer(url.path, parse_qs(url.query))
        except ApiError as error:
            self._error(error.status, error.code, str(error))
            return
        if body is None or body == 304:
            self.send_response(304 if body == 304 else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_json(200, body, truncate=fault == "truncate", dumps=self._dumps)

    @staticmethod
    def _dumps(payload: Any) -> str:
        return json.dumps(payload, ensure_ascii=False, default=_number)

    def _error(self, status: int, code: str, message: str) -> None:
        self.send_json(status, {"code": code, "details": {}, "message": message, "status": "error"})

    def _answer(self, path: str, query: dict[str, list[str]]) -> Any:
        parts = path.strip("/").split("/")
        if len(parts) < 3 or parts[0] != "crm":
            raise ApiError(404, "INVALID_URL_PATTERN", "Please check if the URL is correct")
        org = self.server.state.org
        rest = parts[2:]
        if rest[0] == "settings":
            return self._settings(org, rest[1:], query)
        token = _param(query, "page_token")
        if token is not None:
            if token not in self.server.state.page_tokens:
                raise ApiError(400, "INVALID_DATA", "invalid page token")
            rows, offset, info = self.server.state.page_tokens[token]
            return self.server.state.page(rows, offset, self._per_page(query), info)
        rows, info = self._rows(org, rest, query)
        since = _moment(self.headers.get("If-Modified-Since"))
        if since is not None:
            stamp = "deleted_time" if rest[-1] == "deleted" else "Modified_Time"
            rows = [r for r in rows if (_moment(r.get(stamp)) or since) >= since]
            if not rows:
                return 304
        if not rows:
            return None
        per_page = self._per_page(query)
        page = int(_param(query, "page") or 1)
        if (page - 1) * per_page >= PAGE_LIMIT_RECORDS:
            raise ApiError(
                400,
                "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                "you cannot fetch more than 2000 records using page param, use page_token",
            )
        key = "users" if rest[0] == "users" else "data"
        body = self.server.state.page(rows, (page - 1) * per_page, per_page, info)
        return {key: body.pop("data"), **body}

    @staticmethod
    def _per_page(query: dict[str, list[str]]) -> int:
        return min(int(_param(query, "per_page") or MAX_PER_PAGE), MAX_PER_PAGE)

    def _rows(
        self, org: ZohoOrg, rest: list[str], query: dict[str, list[str]]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        if rest == ["users"]:
            return sorted(org.users, key=lambda u: (u["Modified_Time"], u["id"])), {}
        module = rest[0]
        if module not in org.modules and module not in STANDARD_MODULES:
            raise ApiError(400, "INVALID_MODULE", "the module name given seems to be invalid")
        if rest[1:] == ["deleted"]:
            kind = _param(query, "type") or "all"
            deleted = org.deleted.get(module, [])
            return [r for r in deleted if kind in ("all", r["type"])], {}
        fields = (_param(query, "fields") or "").split(",")
        if fields == [""]:
            raise ApiError(
                400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing"
            )
        if len(rest) == 3 and rest[2] == "Stage_History":
            return self._select(org.stage_history.get(rest[1], []), fields), {}
        if len(rest) != 1:
            raise ApiError(404, "INVALID_URL_PATTERN", "Please check if the URL is correct")
        records = org.modules.get(module, [])
        known = {name for r in records for name in r} | set(org.fields.get(module, []))
        for name in fields:
            if name not in known:
                raise ApiError(400, "INVALID_DATA", f"invalid data: no field {name} in {module}")
        sort_by = _param(query, "sort_by") or "id"
        ordered = sorted(records, key=lambda r: (str(r.get(sort_by) or ""), r["id"]))
        if (_param(query, "sort_order") or "desc") == "desc":
            ordered.reverse()
        info = {"sort_by": sort_by, "sort_order": _param(query, "sort_order") or "desc"}
        return self._select(ordered, fields), info

    @staticmethod
    def _select(records: list[dict[str, Any]], fields: list[str]) -> list[dict[str, Any]]:
        """The records with the fields asked for (and `id`; `Modified_Time` for the filter)."""
        keep = {"id", "Modified_Time", *fields}
        return [{k: v for k, v in r.items() if k in keep} for r in records]

    @staticmethod
    def _settings(org: ZohoOrg, rest: list[str], query: dict[str, list[str]]) -> Any:
        if rest == ["layouts"]:
            return {"layouts": org.layouts}
        if rest == ["pipeline"]:
            layout = _param(query, "layout_id")
            if layout not in org.pipelines:
                raise ApiError(400, "INVALID_DATA", "the layout id given seems to be invalid")
            return {"pipeline": org.pipelines[layout]}
        if rest == ["fields"]:
            return {
                "fields": [
                    {
                        "api_name": "Stage",
                        "data_type": "picklist",
                        "pick_list_values": org.stage_picklist,
                    }
                ]
            }
        raise ApiError(404, "INVALID_URL_PATTERN", "Please check if the URL is correct")


class ZohoServer(FakeApiServer):
    """The fake Zoho CRM: accounts server and API domain on one address (`url`), or the API on
    the server `api_domain` names."""

    thread_name = "fake-zoho"

    def __init__(
        self,
        state: ZohoState,
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(_Handler, faults, host, port)
        self.state = state
        # where the token answer sends the API calls: this server unless another is named (an
        # accounts server of one data centre, the API on another address)
        self.api_domain: str | None = None
