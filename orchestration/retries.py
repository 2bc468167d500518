"""Retries with exponential backoff for the steps that talk to sources.

Sources fail transiently (an API's 503, a dropped connection, a file still being written); the
models and checks downstream do not, and retrying them would only delay the failure report. So
retries are a property of the load steps: decorate a dlt asset's function with
`@retry_with_backoff` (under `@dlt_assets`). A failed attempt asks Dagster to run the step again
after `SOURCE_RETRY_DELAY_SECONDS` x 2^attempt (default 30 s, 60 s, 120 s), at most
`SOURCE_MAX_RETRIES` times (default 3); then the step fails with the original error.

Only transient failures are retried: a refused or dropped connection, a timeout, HTTP 429 and
5xx. Anything else is a configuration or data error that the same input fails again on (a bad
mapping, org file or plan, a missing CRM token, HTTP 401/403): waiting 5.5 minutes through the
backoff before saying so helped nobody, so those fail at once, their message naming the fix.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from typing import Any

import psycopg2
import requests
from dagster import AssetExecutionContext, RetryRequested

MAX_RETRIES_ENV = "SOURCE_MAX_RETRIES"
DELAY_ENV = "SOURCE_RETRY_DELAY_SECONDS"
RETRIES_MARK = "retries_with_backoff"


def retry_limits() -> tuple[int, float]:
    """`(max retries, first delay in seconds)` from the environment."""
    return int(os.environ.get(MAX_RETRIES_ENV, "3")), float(os.environ.get(DELAY_ENV, "30"))


def backoff_seconds(first_delay: float, retry_number: int) -> float:
    """The wait before retry `retry_number + 1`: the first delay doubled per earlier retry."""
    return first_delay * 2**retry_number


# libpq's messages for a server that answered and refused: a setting to fix, not a wait
REFUSED_BY_SERVER = ("authentication failed", "does not exist", "no password supplied")


class SourceConfigurationError(RuntimeError):
    """A source step failed on its configuration (not retried); the message says what to fix."""


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (dlt wraps a source's error twice)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__, getattr(current, "exception", None)]


def _http_status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None) if isinstance(exc, requests.HTTPError) else None


def is_transient(exc: BaseException) -> bool:
    """Whether trying again later may succeed: connection refused or lost, a timeout, HTTP 429
    or 5xx. Everything else (validation errors, missing configuration, 401/403) is not."""
    for cause in _causes(exc):
        status = _http_status(cause)
        if status is not None:
            return status == 429 or status >= 500
        if isinstance(cause, psycopg2.OperationalError):
            return not any(text in str(cause) for text in REFUSED_BY_SERVER)
        if isinstance(cause, requests.ConnectionError | requests.Timeout):
            return True
        if isinstance(cause, ConnectionError | TimeoutError):
            return True
    return False


def refused_credentials(exc: BaseException) -> SourceConfigurationError | None:
    """For HTTP 401/403, the error naming the fix (the HTTP error names only the URL)."""
    for cause in _causes(exc):
        if _http_status(cause) in (401, 403):
            return SourceConfigurationError(
                f"the source refused its credentials ({cause}): set a valid token for it in "
                "ingestion/.dlt/secrets.toml or its SOURCES__<SOURCE>__ACCESS_TOKEN variable"
            )
    return None


def retry_with_backoff(
    compute: Callable[..., Iterator[Any]],
) -> Callable[..., Iterator[Any]]:
    """Wrap a source step so a transient error becomes a retry with backoff, up to the limit,
    and any other error fails the step at once."""

    @functools.wraps(compute)
    def with_retries(context: AssetExecutionContext, *args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from compute(context, *args, **kwargs)
        except Exception as exc:
            if not is_transient(exc):
                context.log.error(f"source step failed, not retried (not transient): {exc}")
                refused = refused_credentials(exc)
                if refused is not None:
                    raise refused from exc
                raise
            max_retries, first_delay = retry_limits()
            attempt = context.retry_number
            if attempt >= max_retries:
                raise
            wait = backoff_seconds(first_delay, attempt)
            context.log.warning(
                f"source step failed (attempt {attempt + 1} of {max_retries + 1}): {exc}; "
                f"retrying in {wait:.0f}s"
            )
            raise RetryRequested(max_retries=max_retries, seconds_to_wait=wait) from exc

    setattr(with_retries, RETRIES_MARK, True)
    return with_retries
