"""Zoho CRM REST API (v8): users, deal pipelines and stages, deals with their stage history,
accounts, contacts, tasks, calls, meetings and notes, and the deleted records of each.

API: https://www.zoho.com/crm/developer/docs/api/v8/ (OpenAPI: github.com/zoho/crm-oas)

- Records: `GET /crm/v8/{module}?fields=...&sort_by=Modified_Time&sort_order=asc&per_page=200`
  with the header `If-Modified-Since` (the last `Modified_Time` loaded, less a second; HTTP 304
  when nothing changed). Pages follow `info.next_page_token` as `page_token`: the `page` number
  is refused past 2,000 records. dlt's incremental cursor on `Modified_Time` drops the rows at
  the boundary it has seen (by `id` and `Modified_Time`). Merged on `id`.
- Users: `GET /crm/v8/users?type=AllUsers`, the same header and cursor.
- Deleted records: `GET /crm/v8/{module}/deleted?type=all` (recycle bin and permanently
  deleted), incremental on `deleted_time`, into `deleted_records`; the models flag the records.
- Stage history: `GET /crm/v8/Deals/{id}/Stage_History` for every deal that changed (one row per
  change of stage, amount, closing date or probability).
- Pipelines and stages: `GET /crm/v8/settings/layouts?module=Deals`, each layout's
  `GET /crm/v8/settings/pipeline?layout_id=` (pipelines and their stages, forecast categories),
  the `Stage` field's picklist from `GET /crm/v8/settings/fields?module=Deals` (probability,
  forecast type); loaded again when a layout changes (`modified_time`).
- Custom fields pass through when listed in `custom_fields`; fields our models read under fixed
  names (loss reason, the orders system's customer id, the team, a meeting's kind) are mapped by
  `role_fields` (`role.id`: the `id` of the lookup `role`).
- OAuth 2.0 refresh token of the account's data centre (`POST {accounts}/oauth/v2/token`,
  `grant_type=refresh_token`), the API on the `api_domain` it answers; a 401 fetches a new
  token once. HTTP 429 (`TOO_MANY_REQUESTS`), 5xx and cut-off JSON are retried with backoff.

Configuration under `[sources.zoho]`: `data_centre` (`com`, `com.cn`, `eu`, `in`, `com.au`,
`jp`, `ca`, `sa`, `uk`, or the accounts server's URL), `client_id`, `client_secret` and
`refresh_token` (secrets: SOURCES__ZOHO__CLIENT_ID / __CLIENT_SECRET / __REFRESH_TOKEN),
optional `api_version`, `custom_fields`, `role_fields`, `currency` (single-currency orgs).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.sources.hubspot.helpers import parse_timestamp
from ingestion.sources.schema import SCHEMA_CONTRACT, materialize_once, typed_columns
from ingestion.sources.zoho.helpers import (
    ZohoClient,
    accounts_url,
    flatten,
    split_rejected,
)
from ingestion.sources.zoho.settings import (
    COLUMN_HINTS,
    CURRENCY_FIELD,
    CURSOR_FIELD,
    DEFAULT_API_VERSION,
    DEFAULT_ROLE_FIELDS,
    EPOCH,
    MODULES,
    MONEY_MODULES,
    STAGE_HISTORY,
    STAGE_HISTORY_FIELDS,
)

START = parse_timestamp(EPOCH)
# modules the deleted-records endpoint answers for (notes are not among them)
DELETABLE = ("Deals", "Accounts", "Contacts", "Tasks", "Calls", "Events")


def module_fields(
    module: str, custom: list[str], roles: dict[str, str], currency: str | None
) -> list[str]:
    """The `fields` one module's request names: its standard fields, the currency in a
    multi-currency org, the fields behind its role fields and its listed custom fields, once."""
    _, standard = MODULES[module]
    fields = ["id", "Created_Time", CURSOR_FIELD, *standard]
    if module in MONEY_MODULES and currency is None:
        fields.append(CURRENCY_FIELD)
    fields += [field.split(".")[0] for field in roles.values()] + custom
    return list(dict.fromkeys(fields))


def _column_roles(roles: dict[str, str]) -> dict[str, str]:
    """Role fields by their flattened column (`role.id` -> `role_id`)."""
    return {column: field.replace(".", "_") for column, field in roles.items()}


def _incremental(cursor: str = CURSOR_FIELD) -> Any:
    return dlt.sources.incremental(cursor, initial_value=START, primary_key=("id", cursor))


def _module_resource(
    client: ZohoClient, module: str, custom: list[str], roles: dict[str, str], currency: str | None
) -> DltResource:
    table, _ = MODULES[module]
    params = {
        "fields": ",".join(module_fields(module, custom, roles, currency)),
        "sort_by": CURSOR_FIELD,
        "sort_order": "asc",
    }
    columns = _column_roles(roles)

    @dlt.resource(
        name=table,
        primary_key="id",
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS[table], newest_by=CURSOR_FIELD),
    )
    def records(modified=_incremental()) -> Iterator[Any]:  # noqa: B008
        yield from materialize_once()
        for page in client.pages(f"/{module}", "data", params, since=modified.start_value):
            rows = [flatten(record, columns) for record in page]
            if currency is not None and module in MONEY_MODULES:
                for row in rows:
                    row[CURRENCY_FIELD] = currency
            yield from split_rejected(module, table, rows)

    return records


def _users(client: ZohoClient, roles: dict[str, str]) -> DltResource:
    columns = _column_roles(roles)

    @dlt.resource(
        name="users",
        primary_key="id",
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS["users"]),
    )
    def users(modified=_incremental()) -> Iterator[Any]:  # noqa: B008
        yield from materialize_once()
        params = {"type": "AllUsers"}
        for page in client.pages("/users", "users", params, since=modified.start_value):
            yield [flatten(user, columns) for user in page]

    return users


def _deal_stage_history(client: ZohoClient, deals: DltResource) -> DltResource:
    @dlt.transformer(
        data_from=deals,
        name="deal_stage_history",
        primary_key="id",
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS["deal_stage_history"]),
    )
    def history(changed: list[dict[str, Any]]) -> Iterator[Any]:
        yield from materialize_once()
        params = {"fields": ",".join(STAGE_HISTORY_FIELDS)}
        for deal in changed:
            if "raw_record" in deal:  # a rejected deal: its history waits for a good record
                continue
            path = f"/Deals/{deal['id']}/{STAGE_HISTORY}"
            for page in client.pages(path, "data", params):
                yield [{**flatten(change, {}), "deal_id": deal["id"]} for change in page]

    return history


def _deleted_records(client: ZohoClient) -> DltResource:
    @dlt.resource(
        name="deleted_records",
        primary_key=("module", "id"),
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS["deleted_records"]),
    )
    def deleted(
        removed=dlt.sources.incremental(  # noqa: B008
            "deleted_time", initial_value=START, primary_key=("module", "id", "deleted_time")
        ),
    ) -> Iterator[Any]:
        yield from materialize_once()
        for module in DELETABLE:
            path = f"/{module}/deleted"
            for page in client.pages(path, "data", {"type": "all"}, since=removed.start_value):
                yield [{**flatten(record, {}), "module": module} for record in page]

    return deleted


def _pipeline_stages(client: ZohoClient) -> DltResource:
    @dlt.resource(
        name="pipeline_stages",
        primary_key=("pipeline", "stage"),
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS["pipeline_stages"]),
    )
    def stages(
        changed=dlt.sources.incremental(  # noqa: B008
            "layout_modified_time",
            initial_value=START,
            primary_key=("pipeline", "stage", "layout_modified_time"),
        ),
    ) -> Iterator[Any]:
        yield from materialize_once()
        fields = client.get("/settings/fields", {"module": "Deals"}) or {}
        stage_field = next((f for f in fields.get("fields", []) if f["api_name"] == "Stage"), {})
        picklist = {v["actual_value"]: v for v in stage_field.get("pick_list_values", [])}
        layouts = (client.get("/settings/layouts", {"module": "Deals"}) or {}).get("layouts", [])
        for layout in layouts:
            answer = client.get("/settings/pipeline", {"layout_id": layout["id"]}) or {}
            yield [
                _stage_row(layout, pipeline, stage, picklist.get(stage["actual_value"], {}))
                for pipeline in answer.get("pipeline", [])
                for stage in pipeline.get("maps", [])
            ]

    return stages


def _stage_row(
    layout: dict[str, Any], pipeline: dict[str, Any], stage: dict[str, Any], pick: dict[str, Any]
) -> dict[str, Any]:
    """One stage of one pipeline, with the `Stage` picklist's probability (0-100)."""
    return {
        "pipeline": pipeline["actual_value"],
        "pipeline_label": pipeline.get("display_value"),
        "pipeline_is_default": bool(pipeline.get("default")),
        "stage": stage["actual_value"],
        "stage_label": stage.get("display_value"),
        "sequence_number": stage.get("sequence_number"),
        "probability": pick.get("probability"),
        "forecast_type": stage.get("forecast_type") or pick.get("forecast_type"),
        "forecast_category": (stage.get("forecast_category") or {}).get("name"),
        "layout_id": layout["id"],
        "layout_modified_time": parse_timestamp(layout.get("modified_time") or EPOCH),
    }


def _json_setting(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


@dlt.source(name="zoho", max_table_nesting=0)
def zoho(
    client_id: str = dlt.secrets.value,
    client_secret: str = dlt.secrets.value,
    refresh_token: str = dlt.secrets.value,
    data_centre: str = "com",
    api_version: str = DEFAULT_API_VERSION,
    custom_fields: dict[str, list[str]] | str | None = None,
    role_fields: dict[str, dict[str, str]] | str | None = None,
    currency: str | None = None,
    request_timeout_s: float = 30,
    max_attempts: int = 6,
    backoff_factor: float = 1.0,
) -> Iterable[DltResource]:
    """The org's CRM modules, loaded into `raw_zoho`.

    `custom_fields` and `role_fields` may come as JSON text (an environment variable, the demo's
    settings file)."""
    custom_fields = _json_setting(custom_fields) or {}
    role_fields = _json_setting(role_fields) or {}
    unknown = (set(custom_fields) | set(role_fields)) - set(MODULES) - {"Users"}
    if unknown:
        raise ValueError(
            f"sources.zoho names modules it does not load: {sorted(unknown)}; "
            f"use one of {sorted([*MODULES, 'Users'])}"
        )
    client = ZohoClient(
        accounts_url(data_centre),
        api_version,
        client_id,
        client_secret,
        refresh_token,
        request_timeout_s,
        max_attempts,
        backoff_factor,
    )
    roles = {**DEFAULT_ROLE_FIELDS}
    for module, fields in role_fields.items():
        roles[module] = {**roles.get(module, {}), **fields}
    yield _users(client, dict(roles.get("Users", {})))
    yield _pipeline_stages(client)
    for module in MODULES:
        resource = _module_resource(
            client,
            module,
            list(custom_fields.get(module, [])),
            dict(roles.get(module, {})),
            currency,
        )
        yield resource
        if module == "Deals":
            yield _deal_stage_history(client, resource)
    yield _deleted_records(client)
