"""Jiandaoyun (简道云) open API v5: a CRM kept in the company's own forms (商机 deals, 客户
customers, 联系人 contacts, 跟进记录 follow-ups, 商机阶段变更 stage changes, 销售人员 member
profiles), its members and departments, and the stage list configured for it.

API (https://hc.jiandaoyun.com/open/11261, the developer guide; every call is a POST with a JSON
body and `Authorization: Bearer <API key>`):
- `/api/v5/app/entry/widget/list` (a form's widgets: `name` = widget id, `label`, `type`): the
  field map is resolved against it, so a field missing from the form fails before any data is
  read, naming the setting and listing the form's widgets;
- `/api/v5/app/entry/data/list` (app_id, entry_id, fields, filter, limit 1-100, `data_id` = the
  last `_id` of the page before; records always in `_id` order): each form incremental on the
  system field `updateTime` with a `range` filter from the last value read (inclusive: records
  saved on the last stamp come again and dlt's incremental drops those it has seen by (`_id`,
  `updateTime`)); merged on `_id`;
- deletions: the list API has no deleted flag and there is no recycle-bin API, so every run
  lists each form's ids alone (`fields: ["_id"]`, 100 ids per request) and an id seen before
  but missing now is written to `deleted_records` (`is_deleted`); one that comes back is
  written again with `is_deleted` false. A record created and deleted between two runs is never
  seen;
- `/api/v5/corp/department/list` and `/api/v5/corp/department/user/list` (recursive from the
  root department): members (`username`, `name`, `departments`, `status`) and departments, in
  full each run;
- the rate limit (HTTP 400 with code 8303, 超出请求频率限制), the concurrency limit (HTTP 429),
  5xx and cut-off JSON are retried with backoff.

Jiandaoyun has no pipeline metadata and no field history: the stages (order, probability,
closed/won) come from `stages` in configuration, loaded as `stages`; stage history comes from a
stage-change form the company's CRM app writes (typically by a data-flow rule on the deal form).

Configuration under `[sources.jiandaoyun]`: `api_key` (a secret: SOURCES__JIANDAOYUN__API_KEY),
`forms` (per form `app_id`, `entry_id` and an optional `fields` map from our fields to widget ids
or titles; more fields than ours are custom fields loaded by the name given), `stages`,
`activity_types`, `currency` (where the deal form has no currency field), `base_url`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.sources.hubspot.helpers import parse_timestamp
from ingestion.sources.jiandaoyun.helpers import (
    FormConfig,
    JiandaoyunClient,
    JiandaoyunError,
    flatten,
    parse_forms,
    resolve_fields,
)
from ingestion.sources.jiandaoyun.settings import (
    ACTIVITY_TYPES,
    COLUMN_HINTS,
    CURSOR_FIELD,
    DEFAULT_ACTIVITY_TYPES,
    DEFAULT_BASE_URL,
    DEFAULT_STAGES,
    DELETION_COLUMNS,
    DEPARTMENT_COLUMNS,
    DEPARTMENT_LIST_PATH,
    DEPARTMENT_USERS_PATH,
    EPOCH,
    FORM_TITLES,
    FORMS,
    ID_FIELD,
    MEMBER_COLUMNS,
    REQUIRED_FORMS,
    ROOT_DEPARTMENT,
    STAGE_COLUMNS,
)
from ingestion.sources.schema import (
    KNOWN_CURRENCIES,
    SCHEMA_CONTRACT,
    materialize_once,
    split_by_contract,
    typed_columns,
)

START = parse_timestamp(EPOCH)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def stage_rows(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The configured stages in funnel order, checked: each names its option (`value`), a
    probability between 0 and 1, and is won only if closed."""
    rows = []
    for order, stage in enumerate(stages):
        value = stage.get("value")
        probability = stage.get("probability")
        try:
            ratio = Decimal(str(probability))
        except ArithmeticError:
            ratio = Decimal(-1)
        if not value or probability is None or not 0 <= ratio <= 1:
            raise JiandaoyunError(
                f"sources.jiandaoyun.stages[{order}] = {stage!r}: each stage needs `value` (the"
                " stage option's text) and `probability` (0 to 1); `closed`, `won`, `id` and"
                " `forecast_category` are optional"
            )
        closed, won = bool(stage.get("closed")), bool(stage.get("won"))
        if won and not closed:
            raise JiandaoyunError(
                f"sources.jiandaoyun.stages[{order}] ({value}) is won but not closed"
            )
        rows.append(
            {
                "stage_id": str(stage.get("id") or value),
                "stage_value": str(value),
                "display_order": order,
                "win_probability": ratio,
                "is_closed": closed,
                "is_won": won,
                "forecast_category": stage.get("forecast_category")
                or ("Closed" if won else "Omitted" if closed else "Pipeline"),
            }
        )
    return rows


def broken_rule(
    form: str,
    stage_ids: dict[str, str],
    activity_types: dict[str, str],
    row: dict[str, Any],
) -> tuple[str, str] | None:
    """The (field, reason) of the first rule a record breaks, if any; it also fills the derived
    columns (`stage_id`, `activity_type`) of a record that keeps them."""
    if form in ("deals", "stage_changes"):
        stage = row.get("stage")
        if stage not in stage_ids:
            return "stage", f"stage {stage!r} is not in sources.jiandaoyun.stages"
        row["stage_id"] = stage_ids[stage]
    if form == "deals":
        amount = row.get("amount")
        if amount is not None and not isinstance(amount, (int, Decimal)):
            return "amount", f"{amount!r} is not a number"
        currency = row.get("currency")
        if currency is not None and str(currency).upper() not in KNOWN_CURRENCIES:
            return "currency", f"unknown currency {currency!r}"
    if form == "followups":
        kind = row.get("kind")
        if kind not in activity_types:
            return "kind", f"follow-up way {kind!r} is not in sources.jiandaoyun.activity_types"
        row["activity_type"] = activity_types[kind]
    return None


def _form_resource(
    client: JiandaoyunClient,
    form: str,
    config: FormConfig | None,
    stage_ids: dict[str, str],
    activity_types: dict[str, str],
    currency: str | None,
) -> DltResource:
    table, _ = FORMS[form]
    rule = partial(broken_rule, form, stage_ids, activity_types)

    @dlt.resource(
        name=table,
        primary_key=ID_FIELD,
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS[table], newest_by=CURSOR_FIELD),
    )
    def records(
        updated=dlt.sources.incremental(  # noqa: B008
            CURSOR_FIELD, initial_value=START, primary_key=(ID_FIELD, CURSOR_FIELD)
        ),
    ) -> Iterator[Any]:
        yield from materialize_once()
        if config is None:
            if form in REQUIRED_FORMS:
                raise JiandaoyunError(
                    f"sources.jiandaoyun.forms.{form} is not set: name the app_id and entry_id of"
                    f" your {FORM_TITLES[form]} form (docs/crm-sources.md)"
                )
            return  # a form the company does not keep: its table stays empty
        widgets = resolve_fields(config, client.widgets(config.app_id, config.entry_id))
        since = updated.start_value
        moment = since if isinstance(since, datetime) else parse_timestamp(since)
        data_filter = {
            "rel": "and",
            "cond": [
                {
                    "field": CURSOR_FIELD,
                    "type": "datetime",
                    "method": "range",
                    "value": [api_time(moment), None],
                }
            ],
        }
        fields = [ID_FIELD, "createTime", CURSOR_FIELD, *dict.fromkeys(widgets.values())]
        for page in client.list_data(config.app_id, config.entry_id, fields, data_filter):
            rows = [flatten(form, record, widgets) for record in page]
            if form == "deals" and currency is not None:
                for row in rows:
                    row["currency"] = row.get("currency") or currency
            yield from split_by_contract(rows, rule, table, form, ID_FIELD, CURSOR_FIELD)

    return records


@dlt.source(name="jiandaoyun", max_table_nesting=0)
def jiandaoyun(
    api_key: str = dlt.secrets.value,
    forms: dict[str, Any] | str | None = None,
    stages: list[dict[str, Any]] | str | None = None,
    activity_types: dict[str, str] | str | None = None,
    currency: str | None = "CNY",
    base_url: str = DEFAULT_BASE_URL,
    root_department: int = ROOT_DEPARTMENT,
    request_timeout_s: float = 30,
    max_attempts: int = 6,
    backoff_factor: float = 1.0,
) -> Iterable[DltResource]:
    """The company's CRM forms, members and departments, loaded into `raw_jiandaoyun`.

    `forms`, `stages` and `activity_types` may come as JSON text (an environment variable, the
    demo's settings file)."""
    configs = parse_forms(_json(forms))
    stage_list = stage_rows(list(_json(stages) or DEFAULT_STAGES))
    stage_ids = {row["stage_value"]: row["stage_id"] for row in stage_list}
    kinds = {**DEFAULT_ACTIVITY_TYPES, **(_json(activity_types) or {})}
    unknown = sorted(set(kinds.values()) - set(ACTIVITY_TYPES))
    if unknown:
        raise JiandaoyunError(
            f"sources.jiandaoyun.activity_types maps to {unknown}: use one of"
            f" {list(ACTIVITY_TYPES)}"
        )
    client = JiandaoyunClient(base_url, api_key, request_timeout_s, max_attempts, backoff_factor)

    @dlt.resource(name="stages", write_disposition="replace", columns=typed_columns(STAGE_COLUMNS))
    def stage_list_resource() -> Iterator[Any]:
        yield stage_list

    @dlt.resource(
        name="members",
        primary_key="username",
        write_disposition="replace",
        columns=typed_columns(MEMBER_COLUMNS),
    )
    def members() -> Iterator[Any]:
        body = {"dept_no": root_department, "has_child": True}
        users = client.post(DEPARTMENT_USERS_PATH, body).get("users") or []
        yield materialize_empty(
            [
                {
                    "username": str(user["username"]),
                    "name": user.get("name"),
                    # the first department is the member's main one
                    "dept_no": str(user["departments"][0]) if user.get("departments") else None,
                    "departments": [str(d) for d in user.get("departments") or []],
                    "status": user.get("status"),
                }
                for user in users
            ]
        )

    @dlt.resource(
        name="departments",
        primary_key="dept_no",
        write_disposition="replace",
        columns=typed_columns(DEPARTMENT_COLUMNS),
    )
    def departments() -> Iterator[Any]:
        body = {"dept_no": root_department, "has_child": True}
        rows = client.post(DEPARTMENT_LIST_PATH, body).get("departments") or []
        yield materialize_empty(
            [
                {
                    "dept_no": str(row["dept_no"]),
                    "name": row.get("name"),
                    "parent_no": str(row["parent_no"])
                    if row.get("parent_no") is not None
                    else None,
                    "status": row.get("status"),
                }
                for row in rows
            ]
        )

    @dlt.resource(
        name="deleted_records",
        primary_key=("form", "data_id"),
        write_disposition="merge",
        columns=typed_columns(DELETION_COLUMNS),
    )
    def deleted_records() -> Iterator[Any]:
        """Each configured form's ids listed in full; ids gone since the last run are deleted."""
        yield from materialize_once()
        state = dlt.current.resource_state()
        seen: dict[str, list[str]] = state.setdefault("ids", {})
        detected = datetime.now(UTC)
        changes = []
        for form, config in configs.items():
            current = {
                record[ID_FIELD]
                for page in client.list_data(config.app_id, config.entry_id, [ID_FIELD])
                for record in page
            }
            before = set(seen.get(form, []))
            gone: set[str] = set(state.setdefault("gone", {}).get(form, []))
            changes += [
                {"form": form, "data_id": i, "is_deleted": True, "detected_at": detected}
                for i in sorted(before - current)
            ]
            changes += [
                {"form": form, "data_id": i, "is_deleted": False, "detected_at": detected}
                for i in sorted(current & gone)
            ]
            state["gone"][form] = sorted((gone | (before - current)) - current)
            seen[form] = sorted(current)
        if changes:
            yield changes

    yield stage_list_resource
    yield members
    yield departments
    for form in FORMS:
        yield _form_resource(client, form, configs.get(form), stage_ids, kinds, currency)
    yield deleted_records


def api_time(moment: datetime) -> str:
    """A UTC time as the API writes it: `2026-01-05T02:00:00.000Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def materialize_empty(rows: list[dict[str, Any]]) -> Any:
    """The rows, or the table's schema alone when there are none (an empty list creates no
    table), so the models reading a replaced table never meet a missing relation."""
    return rows if rows else dlt.mark.materialize_table_schema()
