"""Retries with exponential backoff for the steps that talk to sources.

Sources fail transiently (an API's 503, a dropped connection, a file still being written); the
models and checks downstream do not, and retrying them would only delay the failure report. So
retries are a property of the load steps: decorate a dlt asset's function with
`@retry_with_backoff` (under `@dlt_assets`). A failed attempt asks Dagster to run the step again
after `SOURCE_RETRY_DELAY_SECONDS` x 2^attempt (default 30 s, 60 s, 120 s), at most
`SOURCE_MAX_RETRIES` times (default 3); then the step fails with the original error.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from typing import Any

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


def retry_with_backoff(
    compute: Callable[..., Iterator[Any]],
) -> Callable[..., Iterator[Any]]:
    """Wrap a source step so an error becomes a retry with backoff, up to the limit."""

    @functools.wraps(compute)
    def with_retries(context: AssetExecutionContext, *args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from compute(context, *args, **kwargs)
        except Exception as exc:
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
