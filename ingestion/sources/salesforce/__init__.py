"""Salesforce REST API (SOQL): users, opportunity stages, opportunities with their stage
history and line items, products, accounts, contacts, tasks and events.

API: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/

- Every object by SOQL through `query`, paged by `nextRecordsUrl` until `done`, incremental on
  `SystemModstamp` with `>=` (not dlt's verified source's `>`, which loses a record saved in the
  same millisecond as the last one read, after the read): the rows at the boundary come again
  and dlt's incremental drops those it has seen by (`Id`, `SystemModstamp`).
- Deleted records (the recycle bin) through `queryAll ... WHERE IsDeleted = true`, loaded with
  `is_deleted = true`; the models drop them. Merged on `Id`.
- Stage, amount and close-date history from `OpportunityHistory`: Salesforce writes a row, a
  snapshot of stage, amount, close date, probability and forecast category, at every change of
  any of them, in every org and for the opportunity's whole life. `OpportunityFieldHistory` has
  the same changes only for fields an admin has set to be tracked, kept 18 to 24 months, so it is
  not read. Staging keeps the changes of each field (a row whose value differs from the row
  before). Stages and their won/closed flags and default probabilities from `OpportunityStage`.
- Custom fields (`__c`) pass through when listed in `custom_fields`; the fields our models read
  under fixed names (loss reason, the orders system's customer id, the team) are mapped by
  `role_fields`.
- Large objects (`BULK_OBJECTS`: opportunities, their history and line items, tasks, events)
  through Bulk API 2.0 query jobs (`bulk.py`) when the records to read, counted first by
  `SELECT COUNT()`, reach `bulk_min_records` (10,000 by default; 0 always, None never): the same
  SOQL, cursor and de-duplication, so the same rows land.
- The OAuth 2.0 client credentials flow, or the JWT bearer flow when a private key is set
  (`auth.py`); a 401 fetches a new token once. 5xx, 429, `REQUEST_LIMIT_EXCEEDED` (HTTP 403)
  and cut-off JSON are retried with backoff.

Configuration under `[sources.salesforce]`: `instance_url` (the org's My Domain URL),
`api_version`, `client_id` (secret: SOURCES__SALESFORCE__CLIENT_ID) and either `client_secret`
or `private_key` (secrets) with `username` and optionally `login_url`; optional
`custom_fields`, `role_fields`, `currency` (single-currency orgs), `bulk_min_records`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.sources.hubspot.helpers import parse_timestamp
from ingestion.sources.salesforce.auth import oauth_flow
from ingestion.sources.salesforce.bulk import BulkQuery
from ingestion.sources.salesforce.helpers import (
    SalesforceClient,
    flatten,
    incremental_condition,
    incremental_soql,
    split_rejected,
)
from ingestion.sources.salesforce.settings import (
    BULK_OBJECTS,
    COLUMN_HINTS,
    CURRENCY_FIELD,
    CURSOR_FIELD,
    DEFAULT_API_VERSION,
    DEFAULT_BULK_MAX_RECORDS,
    DEFAULT_BULK_MIN_RECORDS,
    DEFAULT_ROLE_FIELDS,
    EPOCH,
    MONEY_OBJECTS,
    NOT_DELETABLE,
    OBJECTS,
    RECORD_TYPE_FIELD,
    RECORD_TYPES_SOQL,
    STAGE_VALUES_PATH,
)
from ingestion.sources.schema import SCHEMA_CONTRACT, materialize_once, typed_columns

START = parse_timestamp(EPOCH)


def soql_fields(
    sobject: str, custom: list[str], roles: dict[str, str], currency: str | None
) -> list[str]:
    """The fields one object's SOQL selects: keys and cursor, its standard fields, the currency
    in a multi-currency org, its role fields and listed custom fields, each once."""
    _, standard = OBJECTS[sobject]
    fields = ["Id", "CreatedDate", CURSOR_FIELD]
    if sobject not in NOT_DELETABLE:
        fields.append("IsDeleted")
    fields += standard
    if sobject in MONEY_OBJECTS and currency is None:
        fields.append(CURRENCY_FIELD)
    fields += list(roles.values()) + custom
    return list(dict.fromkeys(fields))


class Reader:
    """Reads an object's incremental SOQL over REST, or as Bulk API 2.0 jobs when there are at
    least `bulk_min_records` records to read (None: never)."""

    def __init__(
        self, client: SalesforceClient, bulk: BulkQuery, bulk_min_records: int | None
    ) -> None:
        self.client = client
        self.bulk = bulk
        self.bulk_min_records = bulk_min_records
        self._record_types: list[dict[str, Any]] | None = None

    def record_types(self) -> list[dict[str, Any]]:
        """The org's opportunity record types (none in an org with one sales process), read
        once per load."""
        if self._record_types is None:
            self._record_types = [r for page in self.client.query(RECORD_TYPES_SOQL) for r in page]
        return self._record_types

    def fields(self, sobject: str, fields: list[str]) -> list[str]:
        """`fields`, with `RecordTypeId` for opportunities in an org that has record types (the
        field exists only there)."""
        if sobject == "Opportunity" and self.record_types():
            return [*fields, RECORD_TYPE_FIELD]
        return fields

    def uses_bulk(self, sobject: str, since: Any) -> bool:
        if sobject not in BULK_OBJECTS or self.bulk_min_records is None:
            return False
        if self.bulk_min_records <= 0:
            return True
        count = f"SELECT COUNT() FROM {sobject} WHERE {incremental_condition(since, False)}"
        return self.client.count(count, include_deleted=True) >= self.bulk_min_records

    def pages(self, sobject: str, fields: list[str], since: Any) -> Iterator[list[dict[str, Any]]]:
        """Live records, then (deletable objects) deleted ones through `queryAll`."""
        reads = [False] if sobject in NOT_DELETABLE else [False, True]
        fields = self.fields(sobject, fields)
        if self.uses_bulk(sobject, since):
            hints = COLUMN_HINTS[OBJECTS[sobject][0]]
            for deleted in reads:
                soql = incremental_soql(sobject, fields, since, deleted, ordered=False)
                yield from self.bulk.pages(soql, deleted, hints)
            return
        for deleted in reads:
            soql = incremental_soql(sobject, fields, since, deleted)
            yield from self.client.query(soql, include_deleted=deleted)


def _object_resource(
    reader: Reader,
    sobject: str,
    custom: list[str],
    roles: dict[str, str],
    currency: str | None,
) -> DltResource:
    table, _ = OBJECTS[sobject]
    fields = soql_fields(sobject, custom, roles, currency)

    @dlt.resource(
        name=table,
        primary_key="Id",
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS[table], newest_by=CURSOR_FIELD),
    )
    def records(
        modified=dlt.sources.incremental(  # noqa: B008
            CURSOR_FIELD, initial_value=START, primary_key=("Id", CURSOR_FIELD)
        ),
    ) -> Iterator[Any]:
        yield from materialize_once()
        for page in reader.pages(sobject, fields, modified.start_value):
            rows = [flatten(sobject, record, roles) for record in page]
            if currency is not None and sobject in MONEY_OBJECTS:
                for row in rows:
                    row[CURRENCY_FIELD] = currency
            yield from split_rejected(sobject, table, rows)

    return records


def _record_type_stages(reader: Reader) -> DltResource:
    @dlt.resource(
        name="record_type_stages",
        primary_key=("record_type_id", "stage_name"),
        write_disposition="replace",
        columns=typed_columns(COLUMN_HINTS["record_type_stages"]),
    )
    def stages() -> Iterator[Any]:
        """Each opportunity record type's stages, in its picklist's order: read whole every run
        (a few dozen rows), so a stage taken out of a sales process leaves it."""
        yield dlt.mark.materialize_table_schema()
        client = reader.client
        for record_type in reader.record_types():
            path = STAGE_VALUES_PATH.format(record_type_id=record_type["Id"])
            values = client.get(f"/services/data/{client.api_version}{path}")["values"]
            yield [
                {
                    "record_type_id": record_type["Id"],
                    "stage_name": value["value"],
                    "stage_label": value["label"],
                    "position": position,
                }
                for position, value in enumerate(values, start=1)
            ]

    return stages


@dlt.source(name="salesforce", max_table_nesting=0)
def salesforce(
    instance_url: str = dlt.config.value,
    client_id: str = dlt.secrets.value,
    client_secret: str | None = dlt.secrets.value,
    private_key: str | None = dlt.secrets.value,
    username: str | None = None,
    login_url: str | None = None,
    api_version: str = DEFAULT_API_VERSION,
    custom_fields: dict[str, list[str]] | str | None = None,
    role_fields: dict[str, dict[str, str]] | str | None = None,
    currency: str | None = None,
    bulk_min_records: int | None = DEFAULT_BULK_MIN_RECORDS,
    bulk_max_records: int = DEFAULT_BULK_MAX_RECORDS,
    bulk_poll_interval_s: float = 2.0,
    bulk_timeout_s: float = 3600,
    request_timeout_s: float = 30,
    max_attempts: int = 6,
    backoff_factor: float = 1.0,
) -> Iterable[DltResource]:
    """The org's CRM objects, loaded into `raw_salesforce`.

    `custom_fields` and `role_fields` may come as JSON text (an environment variable, the demo's
    settings file)."""
    custom_fields = json.loads(custom_fields) if isinstance(custom_fields, str) else custom_fields
    role_fields = json.loads(role_fields) if isinstance(role_fields, str) else role_fields
    unknown = set(custom_fields or {}) | set(role_fields or {})
    unknown -= set(OBJECTS)
    if unknown:
        raise ValueError(
            f"sources.salesforce names objects it does not load: {sorted(unknown)}; "
            f"use one of {sorted(OBJECTS)}"
        )
    flow = oauth_flow(client_id, client_secret, username, private_key, login_url)
    client = SalesforceClient(
        instance_url, api_version, flow, request_timeout_s, max_attempts, backoff_factor
    )
    bulk = BulkQuery(client, bulk_max_records, bulk_poll_interval_s, bulk_timeout_s)
    reader = Reader(client, bulk, bulk_min_records)
    roles = {**DEFAULT_ROLE_FIELDS, **(role_fields or {})}
    for sobject in OBJECTS:
        yield _object_resource(
            reader,
            sobject,
            list((custom_fields or {}).get(sobject, [])),
            dict(roles.get(sobject, {})),
            currency,
        )
    yield _record_type_stages(reader)
