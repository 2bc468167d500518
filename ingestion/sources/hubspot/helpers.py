"""HubSpot paging, retries and record flattening."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from dlt.common import pendulum
from dlt.sources.helpers.requests import Client, Request, Response
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import BasePaginator, JSONResponseCursorPaginator

from ingestion.sources.hubspot import settings
from ingestion.sources.hubspot.settings import (
    BATCH_SIZE,
    LIST_PAGE_SIZE,
    SEARCH_PAGE_SIZE,
    TIMESTAMP_PROPERTIES,
)
from ingestion.sources.schema import KNOWN_CURRENCIES, split_by_contract


class HubSpotSearchError(RuntimeError):
    """A search could not make progress (more than 10,000 records share one timestamp)."""


def _is_truncated_json(response: Response | None, exception: BaseException | None) -> bool:
    """Retry a 200 answer whose JSON body is cut off, like any other transient failure."""
    if response is None or response.status_code != 200:
        return False
    try:
        response.json()
    except ValueError:
        return True
    return False


def retrying_session(timeout_s: float, max_attempts: int, backoff_factor: float):
    """A requests session retrying 429 (after `Retry-After`), 5xx, timeouts and cut-off JSON."""
    return Client(
        request_timeout=timeout_s,
        request_max_attempts=max_attempts,
        request_backoff_factor=backoff_factor,
        retry_condition=_is_truncated_json,
        respect_retry_after_header=True,
        raise_for_status=False,
    ).session


def epoch_ms(value: Any) -> str:
    """HubSpot search filters take datetimes as epoch milliseconds."""
    moment = pendulum.parse(value) if isinstance(value, str) else value
    return str(int(moment.timestamp() * 1000))


def parse_timestamp(value: Any) -> datetime | None:
    """An aware UTC-based datetime from epoch milliseconds or ISO 8601 (naive means UTC).

    The standard library's parser comes first: it is many times faster than pendulum's, which
    took a fifth of a CRM load's time (`bench/README.md`); pendulum reads what it cannot.
    """
    if value in (None, ""):
        return None
    text = str(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return pendulum.parse(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class SearchPaginator(BasePaginator):
    """Keyset paging of a search sorted by `cursor_property`: each page's query restarts at the
    last timestamp the previous page ended on, rather than continuing HubSpot's `after` offset.

    An offset shifts under a record modified mid-search (it moves to the end of the sorted
    result, every later record moves up one place, and the one now before the offset is never
    served; its timestamp is older than the run's cursor, so no later run serves it either:
    tests/faults/test_crm_api_faults.py). A restart at the last timestamp cannot skip a record.
    Only a page whose records all share the query's start timestamp (a tie longer than a page)
    continues by offset, up to HubSpot's 10,000-result cap. Records at a restart timestamp come
    again; the incremental cursor and the merge on `id` drop them. A server answering the same
    page again and again stops the search with an error instead of looping.
    """

    MAX_STALLED_PAGES = 3

    def __init__(self, cursor_property: str) -> None:
        super().__init__()
        self.cursor_property = cursor_property
        self._after: str | None = None
        self._since: int | None = None
        self._stalled = 0

    def init_request(self, request: Request) -> None:
        self._since = int(request.json["filterGroups"][0]["filters"][0]["value"])

    def _stamp(self, record: dict[str, Any]) -> int:
        return int(epoch_ms(record.get("properties", {}).get(self.cursor_property)))

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        following = response.json().get("paging", {}).get("next", {}).get("after")
        if following is None or not data:
            self._has_next_page = False
            return
        first, last = self._stamp(data[0]), self._stamp(data[-1])
        if first == last == self._since:
            if int(following) + SEARCH_PAGE_SIZE > settings.SEARCH_RESULT_CAP:
                value = data[-1]["properties"][self.cursor_property]
                raise HubSpotSearchError(
                    f"more than {settings.SEARCH_RESULT_CAP} records share "
                    f"{self.cursor_property} = {value}; the search cannot page past them"
                )
            self._after = following
            return
        restart = max(last, self._since or 0)
        stalled = restart == self._since and self._after is None
        self._stalled = self._stalled + 1 if stalled else 0
        if self._stalled >= self.MAX_STALLED_PAGES:
            raise HubSpotSearchError(
                f"the search for {self.cursor_property} >= {restart} returned the same page"
                f" {self._stalled + 1} times: HubSpot is not advancing; try again later"
            )
        self._since, self._after = restart, None

    def update_request(self, request: Request) -> None:
        body = request.json
        if self._after is None:
            body.pop("after", None)
        else:
            body["after"] = self._after
        body["filterGroups"][0]["filters"][0]["value"] = str(self._since)


def search_body(cursor_property: str, since_ms: str, properties: list[str]) -> dict[str, Any]:
    return {
        "filterGroups": [
            {"filters": [{"propertyName": cursor_property, "operator": "GTE", "value": since_ms}]}
        ],
        "sorts": [{"propertyName": cursor_property, "direction": "ASCENDING"}],
        "properties": properties,
        "limit": SEARCH_PAGE_SIZE,
    }


def flatten(record: dict[str, Any], cursor_property: str) -> dict[str, Any]:
    """One row per record: its properties (custom ones included) as columns."""
    row: dict[str, Any] = {"id": record["id"]}
    for name, value in record.get("properties", {}).items():
        if name == "hs_object_id":
            continue
        row[name] = parse_timestamp(value) if name in TIMESTAMP_PROPERTIES else value
    row["created_at"] = parse_timestamp(record.get("createdAt"))
    row["updated_at"] = parse_timestamp(record.get("updatedAt"))
    row["is_deleted"] = bool(record.get("archived"))
    row["archived_at"] = parse_timestamp(record.get("archivedAt"))
    if row["archived_at"] is not None:
        # archiving is the record's last change, whatever its properties say
        current = row.get(cursor_property)
        row[cursor_property] = max(row["archived_at"], current) if current else row["archived_at"]
    return row


def batches(items: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def property_names(client: RESTClient, object_type: str) -> list[str]:
    """Every property of the object type, custom ones included."""
    response = client.get(f"crm/v3/properties/{object_type}")
    response.raise_for_status()
    return sorted(p["name"] for p in response.json()["results"])


def associated_ids(client: RESTClient, object_type: str, to_type: str, ids: list[str]) -> dict:
    """The first associated `to_type` id of each record (v4 associations batch read)."""
    linked: dict[str, str] = {}
    for batch in batches(ids, 1000):
        response = client.post(
            f"crm/v4/associations/{object_type}/{to_type}/batch/read",
            json={"inputs": [{"id": i} for i in batch]},
        )
        response.raise_for_status()
        for result in response.json().get("results", []):
            if result.get("to"):
                linked[str(result["from"]["id"])] = str(result["to"][0]["toObjectId"])
    return linked


def list_archived(client: RESTClient, object_type: str, properties: list[str]) -> Iterator[list]:
    """Pages of archived (deleted) records, which search never returns."""
    yield from client.paginate(
        f"crm/v3/objects/{object_type}",
        params={"archived": "true", "limit": LIST_PAGE_SIZE, "properties": ",".join(properties)},
        paginator=after_cursor(),
        data_selector="results",
    )


def after_cursor() -> JSONResponseCursorPaginator:
    """HubSpot's list paging: `paging.next.after` into the `after` parameter."""
    return JSONResponseCursorPaginator(cursor_path="paging.next.after", cursor_param="after")


def _not_a_number(value: Any) -> str | None:
    """Why a money value is no number (None for a number or no value)."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return f"{value!r} is not a number"
    return None if number.is_finite() else f"{value!r} is not a number"


def broken_rule(object_type: str, row: dict[str, Any]) -> tuple[str, str] | None:
    """The (field, reason) of the first contract rule a flattened record breaks, if any."""
    if object_type != "deals":
        return None
    problem = _not_a_number(row.get("amount"))
    if problem:
        return "amount", problem
    currency = row.get("deal_currency_code")
    if currency not in (None, "") and str(currency).upper() not in KNOWN_CURRENCIES:
        return "deal_currency_code", f"unknown currency {currency!r}"
    return None


def split_rejected(object_type: str, cursor: str, rows: list[dict[str, Any]]) -> Iterator[Any]:
    """The rows that keep the contract, then the others marked for `<type>_rejected` (with
    their cursor value, so the incremental cursor skips them on the next run too)."""
    rule = partial(broken_rule, object_type)
    yield from split_by_contract(rows, rule, object_type, object_type, "id", cursor)


def split_rejected_versions(rows: list[dict[str, Any]]) -> Iterator[Any]:
    """Deal property versions that keep the contract (an amount is a number), then the others
    for `deal_property_history_rejected`."""

    def rule(row: dict[str, Any]) -> tuple[str, str] | None:
        problem = _not_a_number(row["value"]) if row["property_name"] == "amount" else None
        return ("value", problem) if problem else None

    table = "deal_property_history"
    yield from split_by_contract(rows, rule, table, table, "deal_id", "changed_at")
