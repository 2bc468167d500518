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
- The OAuth 2.0 client credentials flow; a 401 fetches a new token once. 5xx, 429,
  `REQUEST_LIMIT_EXCEEDED` (HTTP 403) and cut-off JSON are retried with backoff.

Configuration under `[sources.salesforce]`: `instance_url` (the org's My Domain URL),
`api_version`, `client_id` and `client_secret` (secrets: SOURCES__SALESFORCE__CLIENT_ID /
__CLIENT_SECRET), optional `custom_fields`, `role_fields`, `currency` (single-currency orgs).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.sources.hubspot.helpers import parse_timestamp
from ingestion.sources.salesforce.helpers import (
    SalesforceClient,
    flatten,
    incremental_soql,
    split_rejected,
)
from ingestion.sources.salesforce.settings import (
    COLUMN_HINTS,
    CURRENCY_FIELD,
    CURSOR_FIELD,
    DEFAULT_API_VERSION,
    DEFAULT_ROLE_FIELDS,
    EPOCH,
    MONEY_OBJECTS,
    NOT_DELETABLE,
    OBJECTS,
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


def _object_resource(
    client: SalesforceClient,
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
        columns=typed_columns(COLUMN_HINTS[table]),
    )
    def records(
        modified=dlt.sources.incremental(  # noqa: B008
            CURSOR_FIELD, initial_value=START, primary_key=("Id", CURSOR_FIELD)
        ),
    ) -> Iterator[Any]:
        yield from materialize_once()
        live = client.query(incremental_soql(sobject, fields, modified.start_value, False))
        pages: Iterable[list[dict[str, Any]]] = live
        if sobject not in NOT_DELETABLE:
            deleted_soql = incremental_soql(sobject, fields, modified.start_value, True)
            pages = chain(live, client.query(deleted_soql, include_deleted=True))
        for page in pages:
            rows = [flatten(sobject, record, roles) for record in page]
            if currency is not None and sobject in MONEY_OBJECTS:
                for row in rows:
                    row[CURRENCY_FIELD] = currency
            yield from split_rejected(sobject, table, rows)

    return records


@dlt.source(name="salesforce", max_table_nesting=0)
def salesforce(
    instance_url: str = dlt.config.value,
    client_id: str = dlt.secrets.value,
    client_secret: str = dlt.secrets.value,
    api_version: str = DEFAULT_API_VERSION,
    custom_fields: dict[str, list[str]] | str | None = None,
    role_fields: dict[str, dict[str, str]] | str | None = None,
    currency: str | None = None,
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
    client = SalesforceClient(
        instance_url,
        api_version,
        client_id,
        client_secret,
        request_timeout_s,
        max_attempts,
        backoff_factor,
    )
    roles = {**DEFAULT_ROLE_FIELDS, **(role_fields or {})}
    for sobject in OBJECTS:
        yield _object_resource(
            client,
            sobject,
            list((custom_fields or {}).get(sobject, [])),
            dict(roles.get(sobject, {})),
            currency,
        )
