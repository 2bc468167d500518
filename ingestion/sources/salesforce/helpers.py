"""Salesforce REST: the OAuth token, SOQL paging, retries and record flattening."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import quote

from dlt.sources.helpers.requests import Client, Response

from ingestion.sources.hubspot.helpers import parse_timestamp
from ingestion.sources.salesforce.auth import OAuthFlow
from ingestion.sources.salesforce.settings import (
    CURSOR_FIELD,
    DATE_FIELDS,
    NOT_DELETABLE,
    TIMESTAMP_FIELDS,
    TOKEN_PATH,
)
from ingestion.sources.schema import broken_money_rule, split_by_contract

RETRIED_ERROR_CODES = {"REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE"}


class SalesforceError(RuntimeError):
    """Salesforce refused a request for a reason a retry cannot fix (the message is its own)."""


def _error_codes(response: Response) -> set[str]:
    try:
        body = response.json()
    except ValueError:
        return set()
    if isinstance(body, list):
        return {str(item.get("errorCode")) for item in body if isinstance(item, dict)}
    return set()


def _is_retried(response: Response | None, exception: BaseException | None) -> bool:
    """Beside dlt's own (5xx, 429, timeouts): the org's request limit (HTTP 403
    `REQUEST_LIMIT_EXCEEDED`) and a 200 JSON answer that is cut off."""
    if response is None:
        return False
    if response.status_code == 403:
        return bool(_error_codes(response) & RETRIED_ERROR_CODES)
    if response.status_code != 200 or "json" not in response.headers.get("Content-Type", ""):
        return False
    try:
        response.json()
    except ValueError:
        return True
    return False


def _decimal_json(response: Response) -> Any:
    """The body with numbers as Decimal: `Amount` is a JSON number, and a float would not hold
    every cent of it."""
    return json.loads(response.text, parse_float=Decimal)


class SalesforceClient:
    """One org's REST API, signed in by an OAuth 2.0 flow (`auth.oauth_flow`).

    The token is fetched on first use and again once when the API answers 401 (an expired or
    revoked session); secrets (the client secret, the private key) go only into the token
    request and never into a message, a log or a repr.
    """

    def __init__(
        self,
        instance_url: str,
        api_version: str,
        flow: OAuthFlow,
        timeout_s: float,
        max_attempts: int,
        backoff_factor: float,
    ) -> None:
        self.instance_url = instance_url.rstrip("/")
        self.api_version = api_version
        self._flow = flow
        self._token: str | None = None
        self.session = Client(
            request_timeout=timeout_s,
            request_max_attempts=max_attempts,
            request_backoff_factor=backoff_factor,
            retry_condition=_is_retried,
            respect_retry_after_header=True,
            raise_for_status=False,
        ).session

    def __repr__(self) -> str:
        return f"SalesforceClient({self.instance_url!r}, {self.api_version!r})"

    def _fetch_token(self) -> str:
        response = self.session.post(self.instance_url + TOKEN_PATH, data=self._flow.token_form())
        if response.status_code != 200:
            try:
                body = response.json()
                error = ": ".join(
                    str(part) for part in (body.get("error"), body.get("error_description")) if part
                )
            except ValueError:
                error = response.text[:200]
            raise SalesforceError(
                f"the token request ({self._flow.name} flow) to {self.instance_url}{TOKEN_PATH}"
                f" failed (HTTP {response.status_code}: {error}): {self._flow.hint()}"
            )
        body = response.json()
        self.instance_url = str(body.get("instance_url") or self.instance_url).rstrip("/")
        return str(body["access_token"])

    def request(self, method: str, path: str, **kwargs: Any) -> Response:
        """`method` on `path` (under the instance), refreshing the token once on 401; any other
        answer than 2xx raises, naming the path and the org's message."""
        for attempt in (1, 2):
            if self._token is None:
                self._token = self._fetch_token()
            response = self.session.request(
                method,
                self.instance_url + path,
                headers={"Authorization": f"Bearer {self._token}"},
                **kwargs,
            )
            if response.status_code == 401 and attempt == 1:
                self._token = None
                continue
            if not response.ok:
                hint = ""
                if "INVALID_FIELD" in _error_codes(response):
                    hint = (
                        ": list only fields the org has in sources.salesforce.custom_fields and"
                        " role_fields (a single-currency org sets sources.salesforce.currency)"
                    )
                raise SalesforceError(
                    f"{method} {path.split('?')[0]} failed (HTTP {response.status_code}): "
                    f"{response.text[:500]}{hint}"
                )
            return response
        raise AssertionError("unreachable")

    def get(self, path: str) -> Any:
        """GET `path` as JSON with Decimal numbers."""
        return _decimal_json(self.request("GET", path))

    def query(self, soql: str, include_deleted: bool = False) -> Iterator[list[dict[str, Any]]]:
        """Pages of a SOQL query's records, following `nextRecordsUrl` until `done`.
        `queryAll` (include_deleted) also returns deleted and archived records."""
        body = self.get(self._query_path(soql, include_deleted))
        while True:
            yield body["records"]
            if body.get("done", True) or not body.get("nextRecordsUrl"):
                return
            body = self.get(body["nextRecordsUrl"])

    def count(self, soql: str, include_deleted: bool = False) -> int:
        """The `totalSize` of a `SELECT COUNT() ...` query."""
        return int(self.get(self._query_path(soql, include_deleted))["totalSize"])

    def _query_path(self, soql: str, include_deleted: bool) -> str:
        endpoint = "queryAll" if include_deleted else "query"
        return f"/services/data/{self.api_version}/{endpoint}?q={quote(soql)}"


def soql_literal(moment: Any) -> str:
    """A SOQL datetime literal (unquoted, UTC) from a datetime or ISO text."""
    value = parse_timestamp(moment) if not isinstance(moment, datetime) else moment
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def incremental_condition(since: Any, deleted_only: bool) -> str:
    """Records changed at or after `since` (`>=`: rows sharing the last stamp are read again and
    de-duplicated, never skipped), deleted ones only for `queryAll`'s second read."""
    conditions = [f"{CURSOR_FIELD} >= {soql_literal(since)}"]
    if deleted_only:
        conditions.append("IsDeleted = true")
    return " AND ".join(conditions)


def incremental_soql(
    sobject: str, fields: list[str], since: Any, deleted_only: bool, ordered: bool = True
) -> str:
    """The incremental query, oldest first (`ordered`; Bulk API 2.0 takes no ORDER BY)."""
    soql = (
        f"SELECT {', '.join(fields)} FROM {sobject}"
        f" WHERE {incremental_condition(since, deleted_only)}"
    )
    return soql + (f" ORDER BY {CURSOR_FIELD} ASC, Id ASC" if ordered else "")


def _value(name: str, value: Any) -> Any:
    if value in (None, ""):
        return None
    if name in TIMESTAMP_FIELDS:
        return parse_timestamp(value)
    if name in DATE_FIELDS:
        return date.fromisoformat(str(value))
    return value


def flatten(sobject: str, record: dict[str, Any], role_fields: dict[str, str]) -> dict[str, Any]:
    """One row per record: its fields (custom ones included) as columns, a relationship field
    (`What.Type`) as `What_Type`, `attributes` dropped, role fields copied to their columns."""
    row: dict[str, Any] = {}
    for name, value in record.items():
        if name == "attributes":
            continue
        if isinstance(value, dict):
            for child, inner in value.items():
                if child != "attributes":
                    row[f"{name}_{child}"] = inner
            continue
        row[name] = _value(name, value)
    if sobject in NOT_DELETABLE:
        row["IsDeleted"] = False
    for column, field in role_fields.items():
        row[column] = row.get(field)
    return row


def broken_rule(sobject: str, row: dict[str, Any]) -> tuple[str, str] | None:
    """The (field, reason) of the first contract rule a record breaks, if any."""
    if sobject != "Opportunity":
        return None
    return broken_money_rule(row, "CurrencyIsoCode", "Amount")


def split_rejected(sobject: str, table: str, rows: list[dict[str, Any]]) -> Iterator[Any]:
    """The rows that keep the contract, then the others for `<table>_rejected`."""
    rule = partial(broken_rule, sobject)
    yield from split_by_contract(rows, rule, table, sobject, "Id", CURSOR_FIELD)
