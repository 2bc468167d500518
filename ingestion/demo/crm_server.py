"""A local HTTP server speaking the HubSpot CRM v3 API shape, for the demo and the tests.

It serves what the HubSpot connector reads (https://developers.hubspot.com/docs/api/crm):

- `GET /crm/v3/objects/{type}`: `limit` (max 100), `after` paging, `properties`,
  `propertiesWithHistory`, `archived=true`, `associations`
- `POST /crm/v3/objects/{type}/search`: filters on any property, sorts, `limit` (max 200),
  `after`; like HubSpot, one query never pages past 10,000 results (HTTP 400)
- `POST /crm/v3/objects/{type}/batch/read` and `POST /crm/v4/associations/{from}/{to}/batch/read`
- `GET /crm/v3/owners` (with teams), `GET /crm/v3/pipelines/deals`, `GET /crm/v3/properties/{type}`
- a bearer private-app token on every request (401 otherwise)

Tests run it in a thread with a hand-written `CrmData` and a fault plan (429 bursts with
`Retry-After`, 5xx, truncated JSON, slow answers); `make demo` runs it in the background serving
the demo company (`python -m ingestion.demo.crm_server`).
"""

from __future__ import annotations

import bisect
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ingestion.demo.fake_api import FakeApiServer, FaultPlan, JsonHandler

SEARCH_RESULT_CAP = 10_000
LIST_LIMIT_MAX = 100
SEARCH_LIMIT_MAX = 200
SEARCHES_KEPT = 16  # recent search queries whose matches are kept per object type
# HubSpot's default properties per object (others, custom ones included, only when asked for)
DEFAULT_PROPERTIES = {
    "deals": [
        "dealname",
        "amount",
        "dealstage",
        "pipeline",
        "closedate",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    ],
    "companies": ["name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"],
    "contacts": [
        "firstname",
        "lastname",
        "email",
        "createdate",
        "lastmodifieddate",
        "hs_object_id",
    ],
}
ENGAGEMENT_DEFAULTS = ["hs_timestamp", "hs_createdate", "hs_lastmodifieddate", "hs_object_id"]


@dataclass
class CrmData:
    """What the server holds: records per object type, owners, and deal pipelines.

    A record is `{"id", "properties", "createdAt", "updatedAt", "archived"}` plus optional
    `archivedAt`, `associations` (`{type: [ids]}`) and `history` (`{property: [versions]}`,
    newest first, as HubSpot returns them).
    """

    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    owners: list[dict[str, Any]] = field(default_factory=list)
    pipelines: list[dict[str, Any]] = field(default_factory=list)

    def indexes(self) -> dict[str, Any]:
        """Each object type's records indexed for the routes (`_Index`; a stored CRM answers
        from disk with the same interface: `ingestion.demo.crm_store`)."""
        return {name: _Index(records) for name, records in self.objects.items()}


class _Index:
    """Records of one type, sorted by id for listing, with their property names."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.by_id = {record["id"]: record for record in records}
        self.live = sorted(
            (r for r in records if not r.get("archived")), key=lambda r: _id_key(r["id"])
        )
        self.archived = sorted(
            (r for r in records if r.get("archived")), key=lambda r: _id_key(r["id"])
        )
        self.property_names = sorted({name for r in records for name in r["properties"]})
        # matched and sorted records per search (filters and sorts): paging through one query
        # filters and sorts once, not once per page
        self.searches: dict[str, list[dict[str, Any]]] = {}
        self._ranges: dict[str, tuple[list[dict[str, Any]], list[tuple[int, Any]]]] = {}

    def range_scan(self, name: str, operator: str, value: Any) -> tuple[list[dict[str, Any]], int]:
        """The live records with property `name` set, sorted ascending on it (ties by id), and
        the position of the first one `operator` (GT or GTE) `value` lets through.

        A search filtered and sorted on one property (what the connector's keyset paging asks,
        with a new start on every page) is then a binary search instead of a filter and sort
        of every record per page.
        """
        if name not in self._ranges:
            present = [r for r in self.live if r["properties"].get(name) not in (None, "")]
            present.sort(key=lambda r: _compare_key(r["properties"][name]))
            self._ranges[name] = (present, [_compare_key(r["properties"][name]) for r in present])
        records, keys = self._ranges[name]
        find = bisect.bisect_right if operator == "GT" else bisect.bisect_left
        return records, find(keys, _compare_key(value))

    def find(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """The records of those ids that exist, by id."""
        return {i: self.by_id[i] for i in ids if i in self.by_id}


def _id_key(record_id: str) -> tuple[int, str]:
    return (int(record_id), "") if record_id.isdigit() else (0, record_id)


def _as_epoch_ms(value: Any) -> float | None:
    if value is None or value == "":
        return None
    text = str(value)
    if text.lstrip("-").isdigit():
        return float(text)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000
    except ValueError:
        return None


def _compare_key(value: Any) -> tuple[int, Any]:
    epoch = _as_epoch_ms(value)
    if epoch is not None:
        return (0, epoch)
    try:
        return (1, float(value))
    except (TypeError, ValueError):
        return (2, "" if value is None else str(value))


def _matches(record: dict[str, Any], flt: dict[str, Any]) -> bool:
    actual = record["properties"].get(flt["propertyName"])
    operator = flt.get("operator", "EQ")
    if operator == "HAS_PROPERTY":
        return actual not in (None, "")
    if operator == "NOT_HAS_PROPERTY":
        return actual in (None, "")
    if actual in (None, ""):
        return False
    left, right = _compare_key(actual), _compare_key(flt.get("value"))
    return {
        "EQ": left == right,
        "NEQ": left != right,
        "GT": left > right,
        "GTE": left >= right,
        "LT": left < right,
        "LTE": left <= right,
    }[operator]


def _keyset_range(groups: list[dict], sorts: list) -> tuple[str, str, Any] | None:
    """(property, operator, value) when a search is one GT/GTE filter on the property it sorts
    ascending by: the shape of every page of the connector's keyset paging."""
    if len(groups) != 1 or len(sorts) != 1 or not isinstance(sorts[0], dict):
        return None
    filters = groups[0].get("filters") or []
    if len(filters) != 1 or sorts[0].get("direction", "ASCENDING") != "ASCENDING":
        return None
    (only,) = filters
    if only.get("operator") not in ("GT", "GTE") or only.get("propertyName") != sorts[0].get(
        "propertyName"
    ):
        return None
    return only["propertyName"], only["operator"], only.get("value")


class CrmState:
    """The data being served, replaceable while the server runs (the demo advances days)."""

    def __init__(self, data: CrmData | Callable[[], CrmData], token: str) -> None:
        self._load = data if callable(data) else (lambda: data)
        self.token = token
        self._lock = threading.Lock()
        self._data: CrmData | None = None
        self._indexes: dict[str, _Index] = {}

    def refresh(self) -> None:
        """Re-index on the next request: the records were changed in place (tests do)."""
        with self._lock:
            self._data = None

    def current(self) -> tuple[CrmData, dict[str, _Index]]:
        with self._lock:
            data = self._load()
            if data is not self._data:
                self._data = data
                self._indexes = data.indexes()
            return self._data, self._indexes


class _Handler(JsonHandler):
    server: CrmServer
    content_type = "application/json;charset=utf-8"  # as HubSpot writes it

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        body = json.loads(self.read_body() or b"{}")
        if self.headers.get("Authorization") != f"Bearer {self.server.state.token}":
            self.send_json(
                401,
                {
                    "status": "error",
                    "category": "INVALID_AUTHENTICATION",
                    "message": "Authentication credentials not found.",
                },
            )
            return
        fault = self.server.fault_for(self.server.record_request((method, url.path, body)))
        if fault == "429":
            self.send_json(
                429,
                {
                    "status": "error",
                    "category": "RATE_LIMITS",
                    "message": "You have reached your secondly limit.",
                },
                headers={"Retry-After": str(self.server.faults.retry_after_s)},
            )
            return
        if fault == "500":
            self.send_json(502, {"status": "error", "message": "Bad gateway"})
            return
        if fault == "slow":
            time.sleep(self.server.faults.slow_s)
        try:
            status, payload = self.server.api.route(method, url.path, query, body)
        except KeyError as exc:
            status, payload = 404, {"status": "error", "message": f"unknown {exc}"}
        self.send_json(status, payload, truncate=fault == "truncate")


class CrmApi:
    """The HubSpot routes, answering from a `CrmState`."""

    def __init__(self, state: CrmState) -> None:
        self.state = state

    def route(self, method: str, path: str, query: dict[str, str], body: dict) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        data, indexes = self.state.current()
        if parts[:3] == ["crm", "v3", "owners"]:
            return 200, self._owners(data, query)
        if parts[:4] == ["crm", "v3", "pipelines", "deals"]:
            return 200, {"results": data.pipelines}
        if parts[:3] == ["crm", "v3", "properties"]:
            return 200, {
                "results": [
                    {"name": name, "type": "string"} for name in indexes[parts[3]].property_names
                ]
            }
        if parts[:2] == ["crm", "v4"] and parts[2] == "associations" and method == "POST":
            return 200, self._associations(indexes[parts[3]], parts[4], body)
        if parts[:3] == ["crm", "v3", "objects"]:
            index = indexes[parts[3]]
            if len(parts) == 4 and method == "GET":
                return 200, self._list(parts[3], index, query)
            if parts[4:] == ["search"] and method == "POST":
                return self._search(parts[3], index, body)
            if parts[4:] == ["batch", "read"] and method == "POST":
                return 200, self._batch_read(parts[3], index, body)
        return 404, {"status": "error", "message": f"no route {method} {path}"}

    @staticmethod
    def _page(items: list, after: str | None, limit: int) -> tuple[list, dict]:
        start = int(after or 0)
        page = items[start : start + limit]
        paging = {}
        if start + limit < len(items):
            paging = {"paging": {"next": {"after": str(start + limit)}}}
        return page, paging

    @staticmethod
    def _render(
        object_type: str,
        record: dict,
        properties: list[str] | None,
        with_history: list[str],
        associations: list[str],
    ) -> dict:
        names = properties or DEFAULT_PROPERTIES.get(object_type, ENGAGEMENT_DEFAULTS)
        shown = {name: record["properties"].get(name) for name in names}
        out = {
            "id": record["id"],
            "properties": shown,
            "createdAt": record["createdAt"],
            "updatedAt": record["updatedAt"],
            "archived": bool(record.get("archived")),
        }
        if record.get("archived"):
            out["archivedAt"] = record.get("archivedAt")
        if with_history:
            out["propertiesWithHistory"] = {
                name: record.get("history", {}).get(name, []) for name in with_history
            }
        linked = record.get("associations", {})
        if associations:
            out["associations"] = {
                kind: {
                    "results": [
                        {"id": i, "type": f"{object_type[:-1]}_to_{kind[:-1]}"}
                        for i in linked.get(kind, [])
                    ]
                }
                for kind in associations
                if linked.get(kind)
            }
        return out

    def _list(self, object_type: str, index: _Index, query: dict[str, str]) -> dict:
        archived = query.get("archived", "false").lower() == "true"
        limit = min(int(query.get("limit", 10)), LIST_LIMIT_MAX)
        records = index.archived if archived else index.live
        page, paging = self._page(records, query.get("after"), limit)

        def split(name: str) -> list[str]:
            return [p for p in query.get(name, "").split(",") if p]

        results = [
            self._render(
                object_type,
                r,
                split("properties"),
                split("propertiesWithHistory"),
                split("associations"),
            )
            for r in page
        ]
        return {"results": results, **paging}

    def _search(self, object_type: str, index: _Index, body: dict) -> tuple[int, dict]:
        after = int(body.get("after") or 0)
        limit = min(int(body.get("limit", 10)), SEARCH_LIMIT_MAX)
        if after + limit > SEARCH_RESULT_CAP:
            return 400, {
                "status": "error",
                "category": "VALIDATION_ERROR",
                "message": "Search results are limited to 10,000 per query.",
            }
        groups = body.get("filterGroups") or [{"filters": []}]
        sorts = body.get("sorts") or []
        keyset = _keyset_range(groups, sorts)
        if keyset is not None:
            records, start = index.range_scan(*keyset)
            matched = records[start:]
        else:
            matched = self._matched(index, groups, sorts)
        page, paging = self._page(matched, str(after), limit)
        results = [self._render(object_type, r, body.get("properties"), [], []) for r in page]
        return 200, {"total": len(matched), "results": results, **paging}

    @staticmethod
    def _matched(index: _Index, groups: list[dict], sorts: list) -> list[dict[str, Any]]:
        """Every live record a search lets through, in its sort order (kept for its pages)."""
        key = json.dumps([groups, sorts], sort_keys=True)
        matched = index.searches.get(key)
        if matched is None:
            matched = [
                r
                for r in index.live
                if any(all(_matches(r, f) for f in g.get("filters", [])) for g in groups)
            ]
            for sort in reversed(sorts):
                name = sort["propertyName"] if isinstance(sort, dict) else sort
                descending = isinstance(sort, dict) and sort.get("direction") == "DESCENDING"
                matched.sort(
                    key=lambda r, n=name: _compare_key(r["properties"].get(n)), reverse=descending
                )
            if len(index.searches) >= SEARCHES_KEPT:
                index.searches.clear()
            index.searches[key] = matched
        return matched

    def _batch_read(self, object_type: str, index: _Index, body: dict) -> dict:
        ids = [i["id"] for i in body.get("inputs", [])]
        known = index.find(ids)
        found = [known[i] for i in ids if i in known]
        results = [
            self._render(
                object_type, r, body.get("properties"), body.get("propertiesWithHistory") or [], []
            )
            for r in found
        ]
        return {"status": "COMPLETE", "results": results}

    @staticmethod
    def _associations(index: _Index, to_type: str, body: dict) -> dict:
        results = []
        inputs = body.get("inputs", [])
        known = index.find([item["id"] for item in inputs])
        for item in inputs:
            record = known.get(item["id"])
            linked = (record or {}).get("associations", {}).get(to_type, [])
            if linked:
                results.append(
                    {
                        "from": {"id": item["id"]},
                        "to": [
                            {
                                "toObjectId": int(i) if i.isdigit() else i,
                                "associationTypes": [
                                    {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": None}
                                ],
                            }
                            for i in linked
                        ],
                    }
                )
        return {"status": "COMPLETE", "results": results}

    def _owners(self, data: CrmData, query: dict[str, str]) -> dict:
        archived = query.get("archived", "false").lower() == "true"
        owners = sorted(
            (o for o in data.owners if bool(o.get("archived")) == archived),
            key=lambda o: _id_key(o["id"]),
        )
        page, paging = self._page(
            owners, query.get("after"), min(int(query.get("limit", 100)), 500)
        )
        return {"results": page, **paging}


class CrmServer(FakeApiServer):
    """The fake HubSpot; `requests` holds (method, path, JSON body) per request answered."""

    thread_name = "fake-hubspot"

    def __init__(
        self,
        state: CrmState,
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(_Handler, faults, host, port)
        self.state = state
        self.api = CrmApi(state)
