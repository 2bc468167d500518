"""Zoho CRM REST: the OAuth refresh token, record paging, retries and record flattening."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from dlt.sources.helpers.requests import Response

from ingestion.sources.hubspot.helpers import parse_timestamp, retrying_session
from ingestion.sources.schema import broken_money_rule, split_by_contract
from ingestion.sources.zoho.settings import (
    ACCOUNTS_DOMAINS,
    CURRENCY_FIELD,
    CURSOR_FIELD,
    DATE_FIELDS,
    MONEY_MODULES,
    PER_PAGE,
    SINCE_MARGIN_S,
    TIMESTAMP_FIELDS,
    TOKEN_PATH,
)


class ZohoError(RuntimeError):
    """Zoho refused a request for a reason a retry cannot fix (the message is its own)."""


def _error_code(response: Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return str(body.get("code")) if isinstance(body, dict) and body.get("code") else None


def accounts_url(data_centre: str) -> str:
    """The accounts server of the data centre (`com`, `com.cn`, `eu`, ...) or a full URL."""
    if data_centre.startswith(("http://", "https://")):
        return data_centre.rstrip("/")
    if data_centre not in ACCOUNTS_DOMAINS:
        raise ValueError(
            f"sources.zoho.data_centre = {data_centre!r} is no Zoho data centre: use one of "
            f"{', '.join(ACCOUNTS_DOMAINS)} (the end of your Zoho accounts domain) or its URL"
        )
    return ACCOUNTS_DOMAINS[data_centre]


def since_header(moment: Any) -> str:
    """`If-Modified-Since` as Zoho writes it (ISO 8601 with offset, to the second), a second
    before `moment`."""
    value = moment if isinstance(moment, datetime) else parse_timestamp(moment)
    return (value - timedelta(seconds=SINCE_MARGIN_S)).replace(microsecond=0).isoformat()


class ZohoClient:
    """One org's REST API, authenticated by an OAuth refresh token of its data centre.

    The access token (an hour's life) is fetched on first use and again once when the API
    answers 401; the API domain is the one the token answer names (`api_domain`). The client
    secret and refresh token go only into the token request's form body, never into a message,
    a log or a repr.
    """

    def __init__(
        self,
        accounts: str,
        api_version: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        timeout_s: float,
        max_attempts: int,
        backoff_factor: float,
    ) -> None:
        self.accounts = accounts
        self.api_version = api_version
        self.api_domain = ""
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._token: str | None = None
        # Zoho answers its rate limits with HTTP 429 (`TOO_MANY_REQUESTS`), retried like 5xx
        self.session = retrying_session(timeout_s, max_attempts, backoff_factor)

    def __repr__(self) -> str:
        return f"ZohoClient({self.accounts!r}, {self.api_version!r})"

    def _fetch_token(self) -> str:
        response = self.session.post(
            self.accounts + TOKEN_PATH,
            data={
                "grant_type": "refresh_token",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
                "refresh_token": self._refresh_token,
            },
        )
        try:
            body = response.json()
        except ValueError:
            body = {"error": response.text[:200]}
        if response.status_code != 200 or "access_token" not in body:
            raise ZohoError(
                f"the token request to {self.accounts}{TOKEN_PATH} failed "
                f"(HTTP {response.status_code}: {body.get('error')}): check "
                "sources.zoho.client_id, client_secret and refresh_token, and that "
                "sources.zoho.data_centre is the data centre the client was registered in"
            )
        self.api_domain = str(body.get("api_domain") or self.api_domain).rstrip("/")
        return str(body["access_token"])

    def get(
        self, path: str, params: dict[str, Any] | None = None, since: Any = None
    ) -> dict[str, Any] | None:
        """GET `path` (under `/crm/<version>`) as JSON with Decimal numbers; None when there is
        nothing (HTTP 204, or 304 for nothing modified since `since`)."""
        headers = {"If-Modified-Since": since_header(since)} if since is not None else {}
        for attempt in (1, 2):
            if self._token is None:
                self._token = self._fetch_token()
            response = self.session.get(
                f"{self.api_domain}/crm/{self.api_version}{path}",
                params=params,
                headers={**headers, "Authorization": f"Zoho-oauthtoken {self._token}"},
            )
            if response.status_code == 401 and attempt == 1:
                self._token = None
                continue
            if response.status_code in (204, 304):
                return None
            if response.status_code != 200:
                hint = ""
                if _error_code(response) == "INVALID_DATA":
                    hint = (
                        ": list only fields the org has in sources.zoho.custom_fields and"
                        " role_fields (a single-currency org sets sources.zoho.currency)"
                    )
                raise ZohoError(
                    f"GET {path} failed (HTTP {response.status_code}): {response.text[:500]}{hint}"
                )
            return json.loads(response.text, parse_float=Decimal)
        raise AssertionError("unreachable")

    def pages(
        self, path: str, key: str, params: dict[str, Any], since: Any = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Every page of a list, `per_page` records at a time, following `next_page_token`
        (the `page` number stops at 2,000 records; the token goes on), else the next `page`."""
        params = {**params, "per_page": PER_PAGE}
        page = 1
        while True:
            body = self.get(path, params, since)
            if body is None:
                return
            yield body.get(key) or []
            info = body.get("info") or {}
            if not info.get("more_records"):
                return
            params.pop("page", None)
            if info.get("next_page_token"):
                params["page_token"] = info["next_page_token"]
            else:
                page += 1
                params["page"] = page


def _value(name: str, value: Any) -> Any:
    if value in (None, ""):
        return None
    if name in TIMESTAMP_FIELDS:
        return parse_timestamp(value)
    if name in DATE_FIELDS:
        return date.fromisoformat(str(value)[:10])
    return value


def flatten(record: dict[str, Any], role_fields: dict[str, str]) -> dict[str, Any]:
    """One row per record: its fields (custom ones included) as columns, a lookup (`Owner`,
    `What_Id`, `Parent_Id.module`) as `<field>_<key>` columns, `$` dropped from names
    (`$se_module` -> `se_module`), role fields copied to their columns."""
    row: dict[str, Any] = {}

    def put(name: str, value: Any) -> None:
        if isinstance(value, dict):
            for child, inner in value.items():
                put(f"{name}_{child}", inner)
        elif isinstance(value, list):
            row[name] = json.dumps(value, ensure_ascii=False, default=str) if value else None
        else:
            row[name] = _value(name, value)

    for name, value in record.items():
        put(name.lstrip("$"), value)
    for column, field in role_fields.items():
        row[column] = row.get(field.lstrip("$"))
    return row


def broken_rule(module: str, row: dict[str, Any]) -> tuple[str, str] | None:
    """The (field, reason) of the first contract rule a record breaks, if any."""
    return broken_money_rule(row, CURRENCY_FIELD, "Amount") if module in MONEY_MODULES else None


def split_rejected(module: str, table: str, rows: list[dict[str, Any]]) -> Iterator[Any]:
    """The rows that keep the contract, then the others for `<table>_rejected`."""
    rule = partial(broken_rule, module)
    yield from split_by_contract(rows, rule, table, module, "id", CURSOR_FIELD)
