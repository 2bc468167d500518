"""Jiandaoyun open API v5: the API key client (retries), `data_id` paging, the field map resolved
against a form's widgets, and records flattened to our columns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from dlt.sources.helpers.requests import Client, Response

from ingestion.sources.hubspot.helpers import parse_timestamp
from ingestion.sources.jiandaoyun.settings import (
    CREATED_FIELD,
    CURSOR_FIELD,
    DATA_LIST_PATH,
    FORM_TITLES,
    FORMS,
    ID_FIELD,
    PAGE_LIMIT,
    RATE_LIMIT_CODE,
    WIDGET_LIST_PATH,
)


class JiandaoyunError(RuntimeError):
    """Jiandaoyun refused a request for a reason a retry cannot fix, or the configuration does
    not fit the forms (the message names the setting to fix)."""


def _decimal_json(response: Response) -> Any:
    """The body with numbers as Decimal: an amount is a JSON number, and a float would not hold
    every cent of it."""
    return json.loads(response.text, parse_float=Decimal)


def _error(response: Response) -> tuple[Any, str]:
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:200]
    if isinstance(body, dict):
        return body.get("code"), str(body.get("msg") or "")
    return None, str(body)[:200]


def _is_retried(response: Response | None, exception: BaseException | None) -> bool:
    """Beside dlt's own (429, 5xx, timeouts): the rate limit (HTTP 400, code 8303) and a 200
    answer whose JSON is cut off."""
    if response is None:
        return False
    if response.status_code == 400:
        return _error(response)[0] == RATE_LIMIT_CODE
    if response.status_code != 200:
        return False
    try:
        response.json()
    except ValueError:
        return True
    return False


class JiandaoyunClient:
    """One company's open API, authenticated by an API key (`Authorization: Bearer <key>`).

    The key goes only into that header, never into a message, a log or a repr.
    """

    def __init__(
        self, base_url: str, api_key: str, timeout_s: float, max_attempts: int, backoff: float
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.session = Client(
            request_timeout=timeout_s,
            request_max_attempts=max_attempts,
            request_backoff_factor=backoff,
            retry_condition=_is_retried,
            respect_retry_after_header=True,
            raise_for_status=False,
        ).session

    def __repr__(self) -> str:
        return f"JiandaoyunClient({self.base_url!r})"

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST `body` to `path` and return the answer's JSON (numbers as Decimal)."""
        response = self.session.post(
            self.base_url + path,
            json=body,
            headers={"Authorization": f"Bearer {self._api_key}"},
        )
        if response.status_code != 200:
            code, message = _error(response)
            hint = ""
            if response.status_code in (401, 403):
                hint = (
                    ": check sources.jiandaoyun.api_key (开放平台 > 密钥管理 > API Key) and that"
                    " its app and interface scopes include this app and the data, form and"
                    " contacts interfaces"
                )
            raise JiandaoyunError(
                f"POST {path} failed (HTTP {response.status_code}, code {code}: {message}){hint}"
            )
        return _decimal_json(response)

    def list_data(
        self,
        app_id: str,
        entry_id: str,
        fields: list[str],
        data_filter: dict[str, Any] | None = None,
        limit: int = PAGE_LIMIT,
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of a form's records in `_id` order: each request starts after the last `_id` of
        the page before (`data_id`); a short page is the last."""
        last_id: str | None = None
        while True:
            body: dict[str, Any] = {
                "app_id": app_id,
                "entry_id": entry_id,
                "fields": fields,
                "limit": limit,
            }
            if data_filter:
                body["filter"] = data_filter
            if last_id:
                body["data_id"] = last_id
            page = self.post(DATA_LIST_PATH, body).get("data") or []
            if page:
                yield page
            if len(page) < limit:
                return
            last_id = page[-1][ID_FIELD]

    def widgets(self, app_id: str, entry_id: str) -> list[dict[str, Any]]:
        return list(
            self.post(WIDGET_LIST_PATH, {"app_id": app_id, "entry_id": entry_id}).get("widgets")
            or []
        )


@dataclass(frozen=True)
class FormConfig:
    """One configured form: where it is and which of its widgets holds each of our fields."""

    form: str
    app_id: str
    entry_id: str
    fields: dict[str, str]  # our field -> widget id or title, as configured (defaults aside)


def parse_forms(forms: dict[str, Any] | str | None) -> dict[str, FormConfig]:
    """`sources.jiandaoyun.forms` checked for its shape; unknown forms and missing ids fail."""
    if isinstance(forms, str):
        forms = json.loads(forms)
    parsed = {}
    for form, settings in (forms or {}).items():
        if form not in FORMS:
            raise JiandaoyunError(
                f"sources.jiandaoyun.forms names a form we do not read: {form!r}; use one of"
                f" {sorted(FORMS)}"
            )
        missing = [key for key in ("app_id", "entry_id") if not (settings or {}).get(key)]
        if missing:
            raise JiandaoyunError(
                f"sources.jiandaoyun.forms.{form} lacks {' and '.join(missing)}: the ids of your"
                f" {FORM_TITLES[form]} form (its API page in 开放平台 shows both)"
            )
        parsed[form] = FormConfig(
            form,
            str(settings["app_id"]),
            str(settings["entry_id"]),
            dict(settings.get("fields") or {}),
        )
    return parsed


def resolve_fields(config: FormConfig, widgets: list[dict[str, Any]]) -> dict[str, str]:
    """Our field -> the widget id (`name`) holding it on the form.

    A field is found by the widget id or title configured for it, else by its default title. A
    required field not found, or a configured one not found, fails naming the setting and the
    form's widgets; an optional default not found is left out (its column stays empty). Fields
    configured beyond ours are custom fields, loaded under the configured name."""
    by_name = {str(w.get("name")): w for w in widgets}
    by_label = {str(w.get("label")): w for w in widgets}
    _, known = FORMS[config.form]
    resolved: dict[str, str] = {}
    for field in list(known) + [f for f in config.fields if f not in known]:
        configured = config.fields.get(field)
        wanted = configured or known[field][1]
        widget = by_name.get(wanted) or by_label.get(wanted)
        if widget is not None:
            resolved[field] = str(widget["name"])
            continue
        required = field in known and known[field][2]
        if configured or required:
            offered = ", ".join(f"{w.get('label')} ({w.get('name')})" for w in widgets)
            raise JiandaoyunError(
                f"sources.jiandaoyun.forms.{config.form}.fields.{field}: the"
                f" {FORM_TITLES[config.form]} form ({config.app_id}/{config.entry_id}) has no"
                f" widget {wanted!r}; map {field} to one of its widgets: {offered}"
            )
    return resolved


def _text(value: Any) -> str | None:
    if value in (None, "", []):
        return None
    if isinstance(value, dict):  # a member or a linked record
        for key in ("username", "id", ID_FIELD, "key", "name"):
            if value.get(key) not in (None, ""):
                return str(value[key])
        return None
    if isinstance(value, list):
        return _text(value[0])
    return str(value)


def _number(value: Any) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, (int, Decimal)):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return value  # not a number: the contract check rejects the record, naming it


def read_value(kind: str, value: Any) -> Any:
    """A widget's value as the column holds it."""
    if kind == "number":
        return _number(value)
    if kind == "datetime":
        return parse_timestamp(value) if value not in (None, "") else None
    if kind in ("text", "select", "member", "linked"):
        return _text(value)
    return value


def flatten(form: str, record: dict[str, Any], widgets: dict[str, str]) -> dict[str, Any]:
    """One row per record: `_id`, its created and updated times, and each mapped field under our
    name (custom fields as they come)."""
    _, known = FORMS[form]
    row: dict[str, Any] = {
        ID_FIELD: record[ID_FIELD],
        CREATED_FIELD: parse_timestamp(record.get(CREATED_FIELD)),
        CURSOR_FIELD: parse_timestamp(record.get(CURSOR_FIELD)),
    }
    for field, widget in widgets.items():
        value = record.get(widget)
        row[field] = read_value(known[field][0], value) if field in known else value
    return row
