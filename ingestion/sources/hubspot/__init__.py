"""HubSpot CRM API v3: owners, deal pipelines, deals with their stage history, companies,
contacts and engagements (calls, meetings incl. visits and trainings, notes, tasks).

API: https://developers.hubspot.com/docs/api/crm/understanding-the-crm

- Owners and pipelines: a declarative `rest_api` config, `after` paging.
- CRM objects: `POST /crm/v3/objects/{type}/search` filtered `<cursor> >= last value` sorted
  ascending (incremental cursor `hs_lastmodifieddate`, `lastmodifieddate` for contacts); a query
  stops at 10,000 results, so the paginator restarts from the last timestamp seen. Archived records
  come from `GET ...?archived=true` and are loaded with `is_deleted = true`. All properties,
  custom ones included, become columns. Merged on `id`.
- Deal stage history: `propertiesWithHistory=dealstage` through batch reads of the changed deals,
  one row per change, so every stage entry and exit survives. Amount and close-date history
  (`propertiesWithHistory=amount,closedate`) the same way into `deal_property_history`, one row
  per version (the first is the value the deal was created with), merged on deal, property and
  time.
- 429 waits for `Retry-After`; 5xx, timeouts and cut-off JSON are retried.

Configuration: `sources.hubspot.base_url` (default HubSpot's), `sources.hubspot.access_token`
(a private-app token: a secret, e.g. SOURCES__HUBSPOT__ACCESS_TOKEN).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

import dlt
from dlt.sources import DltResource
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.rest_api import RESTAPIConfig, rest_api_resources

from ingestion.sources.hubspot.helpers import (
    SearchPaginator,
    after_cursor,
    associated_ids,
    batches,
    epoch_ms,
    flatten,
    list_archived,
    parse_timestamp,
    property_names,
    retrying_session,
    search_body,
    split_rejected,
    split_rejected_versions,
)
from ingestion.sources.hubspot.settings import (
    ASSOCIATIONS,
    COLUMN_HINTS,
    CURSOR_PROPERTIES,
    DEFAULT_BASE_URL,
    EPOCH,
    HISTORY_PROPERTIES,
    LIST_PAGE_SIZE,
    TIMESTAMP_PROPERTIES,
)
from ingestion.sources.schema import SCHEMA_CONTRACT, materialize_once, typed_columns

START = parse_timestamp(EPOCH)


def _primary_team(owner: dict[str, Any]) -> dict[str, Any]:
    teams = owner.get("teams") or []
    primary = next((t for t in teams if t.get("primary")), teams[0] if teams else {})
    return {**owner, "primary_team_id": primary.get("id"), "primary_team_name": primary.get("name")}


def _owners(client: RESTClient) -> DltResource:
    """Active and archived owners in one table (`archived` marks reps who left)."""

    @dlt.resource(
        name="owners",
        primary_key="id",
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS["owners"]),
    )
    def owners(
        updated=dlt.sources.incremental("updatedAt", initial_value=EPOCH),  # noqa: B008
    ) -> Iterator[Any]:
        yield from materialize_once()
        for archived in ("false", "true"):
            for page in client.paginate(
                "crm/v3/owners",
                params={"limit": LIST_PAGE_SIZE, "archived": archived},
                paginator=after_cursor(),
                data_selector="results",
            ):
                yield [_primary_team(owner) for owner in page]

    return owners


def _pipelines(client: RESTClient) -> list[DltResource]:
    """Deal pipelines and their stages: a declarative `rest_api` resource."""
    config: RESTAPIConfig = {
        "client": {"base_url": client.base_url, "auth": client.auth, "session": client.session},
        "resources": [
            {
                "name": "pipelines",
                "primary_key": "id",
                "write_disposition": "merge",
                "endpoint": {
                    "path": "crm/v3/pipelines/deals",
                    "data_selector": "results",
                    "paginator": "single_page",
                    "incremental": {"cursor_path": "updatedAt", "initial_value": EPOCH},
                },
            },
        ],
    }
    return rest_api_resources(config)


def _object_resource(client: RESTClient, object_type: str) -> DltResource:
    cursor = CURSOR_PROPERTIES[object_type]

    @dlt.resource(
        name=object_type,
        primary_key="id",
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS[object_type], newest_by=cursor),
    )
    def records(
        modified=dlt.sources.incremental(cursor, initial_value=START),  # noqa: B008
    ) -> Iterator[Any]:
        yield from materialize_once()
        properties = property_names(client, object_type)
        body = search_body(cursor, epoch_ms(modified.start_value), properties)
        pages = client.paginate(
            f"crm/v3/objects/{object_type}/search",
            method="POST",
            json=body,
            paginator=SearchPaginator(cursor),
            data_selector="results",
        )
        for page in chain(pages, list_archived(client, object_type, properties)):
            rows = _with_associations(client, object_type, [flatten(r, cursor) for r in page])
            yield from split_rejected(object_type, cursor, rows)

    return records


def _with_associations(client: RESTClient, object_type: str, rows: list[dict]) -> list[dict]:
    ids = [row["id"] for row in rows]
    for to_type in ASSOCIATIONS.get(object_type, []):
        linked = associated_ids(client, object_type, to_type, ids)
        column = f"{to_type[:-1].replace('companie', 'company')}_id"
        for row in rows:
            row[column] = linked.get(row["id"])
    return rows


def _history_versions(
    client: RESTClient, changed: list[dict[str, Any]], properties: list[str]
) -> Iterator[list[tuple[str, str, dict[str, Any]]]]:
    """(deal id, property, version) of every version of `properties` of the changed live deals,
    a batch read (`propertiesWithHistory`) per 50 deals."""
    live = [row["id"] for row in changed if row.get("is_deleted") is False]
    for batch in batches(live):
        response = client.post(
            "crm/v3/objects/deals/batch/read",
            json={
                "inputs": [{"id": i} for i in batch],
                "properties": properties,
                "propertiesWithHistory": properties,
            },
        )
        response.raise_for_status()
        yield [
            (deal["id"], name, version)
            for deal in response.json()["results"]
            for name in properties
            for version in deal.get("propertiesWithHistory", {}).get(name, [])
        ]


def _deal_stage_history(client: RESTClient, deals: DltResource) -> DltResource:
    @dlt.transformer(
        data_from=deals,
        name="deal_stage_history",
        primary_key=["deal_id", "changed_at", "stage_id"],
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS["deal_stage_history"]),
    )
    def history(changed: list[dict[str, Any]]) -> Iterator[Any]:
        yield from materialize_once()
        for versions in _history_versions(client, changed, ["dealstage"]):
            yield [
                {
                    "deal_id": deal_id,
                    "stage_id": version["value"],
                    "changed_at": parse_timestamp(version["timestamp"]),
                    "source_type": version.get("sourceType"),
                }
                for deal_id, _, version in versions
            ]

    return history


def _property_value(name: str, value: Any) -> str | None:
    """A version's value as text: a close date as ISO 8601 UTC (the API may write epoch ms)."""
    if value in (None, ""):
        return None
    if name in TIMESTAMP_PROPERTIES:
        moment = parse_timestamp(value)
        return moment.isoformat() if moment else None
    return str(value)


def _deal_property_history(client: RESTClient, deals: DltResource) -> DltResource:
    """Every version of the deal properties in `HISTORY_PROPERTIES` (amount, close date), so the
    forecast sees each past day's amount and close date and counts close-date pushes."""

    @dlt.transformer(
        data_from=deals,
        name="deal_property_history",
        primary_key=["deal_id", "property_name", "changed_at"],
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS["deal_property_history"]),
    )
    def history(changed: list[dict[str, Any]]) -> Iterator[Any]:
        yield from materialize_once()
        for versions in _history_versions(client, changed, HISTORY_PROPERTIES):
            rows = [
                {
                    "deal_id": deal_id,
                    "property_name": name,
                    "value": _property_value(name, version.get("value")),
                    "changed_at": parse_timestamp(version["timestamp"]),
                    "source_type": version.get("sourceType"),
                }
                for deal_id, name, version in versions
            ]
            yield from split_rejected_versions(rows)

    return history


@dlt.source(name="hubspot", max_table_nesting=2)
def hubspot(
    base_url: str = DEFAULT_BASE_URL,
    access_token: str = dlt.secrets.value,
    request_timeout_s: float = 30,
    max_attempts: int = 6,
    backoff_factor: float = 1.0,
) -> Iterable[DltResource]:
    """The CRM's owners, pipelines, objects and deal stage history, loaded into `raw_crm`."""
    client = RESTClient(
        base_url=base_url.rstrip("/") + "/",
        auth=BearerTokenAuth(access_token),
        session=retrying_session(request_timeout_s, max_attempts, backoff_factor),
    )
    yield _owners(client)
    yield from _pipelines(client)
    deals = _object_resource(client, "deals")
    yield deals
    yield _deal_stage_history(client, deals)
    yield _deal_property_history(client, deals)
    for object_type in CURSOR_PROPERTIES:
        if object_type != "deals":
            yield _object_resource(client, object_type)
