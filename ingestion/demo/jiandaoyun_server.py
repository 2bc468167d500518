"""A local HTTP server speaking the Jiandaoyun (简道云) open API v5's shape, for the demo and the
tests.

It serves what the Jiandaoyun connector reads (https://hc.jiandaoyun.com/open/11261): every call
a POST with a JSON body and `Authorization: Bearer <API key>` (HTTP 401 otherwise):

- `/api/v5/app/entry/widget/list` {app_id, entry_id}: `{"widgets": [{"name", "label",
  "type"}], "sysWidgets": [...], "dataModifyTime"}`
- `/api/v5/app/entry/data/list` {app_id, entry_id, data_id, fields, filter, limit}: `{"data":
  [records]}` in `_id` order, the records after `data_id`, at most `limit` (1-100, else HTTP 400
  code 1); `fields` picks the widgets returned (system fields always come); `filter` is
  `{"rel": "and"|"or", "cond": [{"field", "method", "value"}]}` with the methods `eq`, `ne`,
  `in`, `nin`, `range` (inclusive; a null bound is open), `gt`, `lt`, `empty`, `not_empty`, on
  widgets and on `_id`, `createTime`, `updateTime`
- `/api/v5/corp/department/list` and `/api/v5/corp/department/user/list` {dept_no, has_child}:
  `{"departments": [...]}` and `{"users": [...]}`, recursively when `has_child`
- an unknown app or form: HTTP 400 with an error code and message, as the API answers errors

Faults by the 1-based number of the request (`FaultPlan.at_request`): `"limit"` (HTTP 400, code
8303: the rate limit), `"429"` (the concurrency limit), `"500"` (HTTP 502, the gateway),
`"truncate"` (the JSON cut in half).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ingestion.demo.fake_api import FakeApiServer, FaultPlan, JsonHandler
from ingestion.sources.hubspot.helpers import parse_timestamp

SYSTEM_FIELDS = ("_id", "appId", "entryId", "creator", "updater", "createTime", "updateTime")
RATE_LIMITED = {"code": 8303, "msg": "超出请求频率限制"}
_DECIMAL = re.compile(r'"__decimal__([-0-9.Ee+]+)__"')


@dataclass
class JdyForm:
    """One form: its title, widgets (`{"name": "_widget_...", "label", "type"}`) and records
    (`{"_id", "createTime", "updateTime", "_widget_...": value}`, numbers as Decimal)."""

    title: str
    widgets: list[dict[str, Any]]
    records: list[dict[str, Any]] = field(default_factory=list)
    _sorted: tuple[int, int, list[dict[str, Any]], list[str]] | None = None

    def by_id(self) -> tuple[list[dict[str, Any]], list[str]]:
        """The records in `_id` order and their ids, sorted again once records are added or
        removed (tests change the list in place)."""
        key = (id(self.records), len(self.records))
        if self._sorted is None or self._sorted[:2] != key:
            ordered = sorted(self.records, key=lambda r: r["_id"])
            self._sorted = (*key, ordered, [r["_id"] for r in ordered])
        return self._sorted[2], self._sorted[3]


@dataclass
class JdyCompany:
    """What the server holds: forms by (app_id, entry_id), the contacts directory (departments
    with `dept_no`, `parent_no`; members with `username`, `departments`) and the API key."""

    forms: dict[tuple[str, str], JdyForm] = field(default_factory=dict)
    departments: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    api_key: str = "fake-jiandaoyun-api-key"


def _comparable(value: Any) -> tuple[int, Any]:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (0, Decimal(str(value)))
    if isinstance(value, str):
        moment = parse_timestamp(value) if re.match(r"^\d{4}-\d{2}-\d{2}", value) else None
        if moment is not None:
            return (1, moment)
        return (2, value)
    if isinstance(value, dict):
        return (2, str(value.get("username") or value.get("id") or ""))
    return (3, str(value))


def _holds(record: dict[str, Any], condition: dict[str, Any]) -> bool:
    value = record.get(condition["field"])
    method = condition["method"]
    given = condition.get("value") or []
    if method == "empty":
        return value in (None, "", [])
    if method == "not_empty":
        return value not in (None, "", [])
    if value in (None, ""):
        return method in ("ne", "nin")
    if method == "range":
        low = given[0] if given else None
        high = given[1] if len(given) > 1 else None
        return (low is None or _comparable(value) >= _comparable(low)) and (
            high is None or _comparable(value) <= _comparable(high)
        )
    if method in ("gt", "lt"):
        compared = _comparable(value), _comparable(given[0])
        return compared[0] > compared[1] if method == "gt" else compared[0] < compared[1]
    matches = any(_comparable(value) == _comparable(v) for v in given)
    return matches if method in ("eq", "in") else not matches


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


class _Handler(JsonHandler):
    server: JiandaoyunServer

    def do_POST(self) -> None:  # noqa: N802
        server = self.server
        number = server.record_request((self.path, self.read_body()))
        fault = server.fault_for(number)
        company = server.company
        if (self.headers.get("Authorization") or "") != f"Bearer {company.api_key}":
            self.send_json(401, {"code": 401, "msg": "Invalid API Key"})
            return
        if fault == "limit":
            self.send_json(400, RATE_LIMITED)
            return
        if fault == "429":
            self.send_json(429, {"code": 429, "msg": "超出请求并发限制"})
            return
        if fault == "500":
            self.send_json(502, {"code": 502, "msg": "Bad Gateway"})
            return
        try:
            body = self._body(number)
            answer = self._route(company, body)
        except ApiError as error:
            self.send_json(error.status, {"code": error.code, "msg": str(error)})
            return
        self.send_json(200, answer, truncate=fault == "truncate", dumps=dumps_decimal)

    def _body(self, number: int) -> dict[str, Any]:
        raw = self.server.requests[number - 1][1]
        try:
            return json.loads(raw or b"{}", parse_float=Decimal)
        except ValueError as error:
            raise ApiError(400, 1, "The request is invalid.") from error

    def _route(self, company: JdyCompany, body: dict[str, Any]) -> Any:
        path = self.path.split("?")[0]
        if path == "/api/v5/app/entry/widget/list":
            form = _form(company, body)
            return {"widgets": form.widgets, "sysWidgets": [{"name": n} for n in SYSTEM_FIELDS]}
        if path == "/api/v5/app/entry/data/list":
            return {"data": _list(_form(company, body), body)}
        if path == "/api/v5/corp/department/list":
            return {"departments": _under(company.departments, body, "dept_no")}
        if path == "/api/v5/corp/department/user/list":
            departments = {d["dept_no"] for d in _under(company.departments, body, "dept_no")}
            departments.add(body.get("dept_no"))
            if not body.get("has_child"):
                departments = {body.get("dept_no")}
            return {
                "users": [
                    m for m in company.members if departments & set(m.get("departments") or [])
                ]
            }
        raise ApiError(404, 1, "The request is invalid.")


def _form(company: JdyCompany, body: dict[str, Any]) -> JdyForm:
    form = company.forms.get((str(body.get("app_id")), str(body.get("entry_id"))))
    if form is None:
        raise ApiError(400, 3005, "The form does not exist.")
    return form


def _list(form: JdyForm, body: dict[str, Any]) -> list[dict[str, Any]]:
    limit = body.get("limit", 10)
    if not isinstance(limit, int) or not 1 <= limit <= 100:
        raise ApiError(400, 1, "The request is invalid: limit is 1 to 100.")
    data_filter = body.get("filter") or {}
    conditions = data_filter.get("cond") or []
    combine = any if data_filter.get("rel") == "or" else all
    records, ids = form.by_id()
    wanted = set(body.get("fields") or []) or None
    page = []
    # the records after `data_id`, found by bisection: a page costs its own records, not the form's
    for record in records[bisect.bisect_right(ids, body.get("data_id") or "") :]:
        if conditions and not combine(_holds(record, c) for c in conditions):
            continue
        page.append(
            {k: v for k, v in record.items() if wanted is None or k in SYSTEM_FIELDS or k in wanted}
        )
        if len(page) == limit:
            break
    return page


def _under(departments: list[dict[str, Any]], body: dict[str, Any], key: str) -> list[dict]:
    """The departments under `dept_no`: its children, or all descendants when `has_child`."""
    parents, found = {body.get(key)}, []
    while parents:
        children = [d for d in departments if d.get("parent_no") in parents]
        found += children
        parents = {d[key] for d in children} if body.get("has_child") else set()
    return found


def dumps_decimal(payload: Any) -> str:
    """JSON with Decimal money written as the exact number it is, as the API writes numbers."""

    def mark(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"__decimal__{value}__"
        raise TypeError(type(value).__name__)

    return _DECIMAL.sub(r"\1", json.dumps(payload, ensure_ascii=False, default=mark))


class JiandaoyunServer(FakeApiServer):
    """The fake open API; `company` is what it serves as of now (the demo's follows its days)."""

    thread_name = "fake-jiandaoyun"

    def __init__(
        self,
        company: JdyCompany | Callable[[], JdyCompany],
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(_Handler, faults=faults, host=host, port=port)
        self._load = company if callable(company) else (lambda: company)

    @property
    def company(self) -> JdyCompany:
        return self._load()
