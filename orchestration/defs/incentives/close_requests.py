"""Close requests from the app: finance presses "Close month", the orchestration closes it.

The app cannot run a Dagster job itself (it holds no orchestration rights, only the viewer's
database role), so the request is a row: `commission_ops.request_close(period)` checks in the
database that the caller is finance, the earlier months are closed and the required approvals are
valid, and records the request. The sensor `close_requested_periods` launches the same job as
`make close-period` (`close_commission_period`) for each pending request, once (the run key is
the request), and records it `launched`; two run-status sensors record its outcome, `closed` or
`failed` with the reason, which the app's month-end page shows. A database queue rather than
Dagster's GraphQL API from the app: the role check stays in PostgreSQL, the app needs no
credentials for the orchestrator, and a request survives a restart of either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import psycopg2
from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    run_failure_sensor,
    run_status_sensor,
    sensor,
)
from dagster._utils.error import SerializableErrorInfo

from ingestion.platform.warehouse_url import warehouse_url
from orchestration.defs.incentives.period_close import (
    PERIOD_FORMAT,
    close_commission_period,
)

CLOSE_REQUEST_TAG = "spw/close_request_id"


def pending_close_requests(url: str) -> list[tuple[int, dt.date]]:
    """Requests nothing has been launched for yet, oldest first (none before the first build
    made `commission_ops`)."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('commission_ops.close_request_status') is not null")
        (exists,) = cur.fetchone()
        if not exists:
            return []
        cur.execute(
            "select request_id, period_start from commission_ops.close_request_status"
            " where status = 'pending' order by request_id"
        )
        return list(cur.fetchall())


def record_close_event(url: str, request_id: int, status: str, run_id: str, message: str) -> None:
    """Append what became of a request (`launched`, `closed`, `failed`)."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "select commission_ops.record_close_event(%s, %s, %s, %s)",
            (request_id, status, run_id, message),
        )


@sensor(
    name="close_requested_periods",
    job=close_commission_period,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description="Launch the period-close job for each month finance asked to close in the app.",
)
def close_requested_periods(context: SensorEvaluationContext) -> Iterator[RunRequest]:
    url = warehouse_url()
    for request_id, period_start in pending_close_requests(url):
        period = period_start.strftime(PERIOD_FORMAT)
        context.log.info(f"close request {request_id}: launching the close of {period}")
        yield RunRequest(
            run_key=f"close_request_{request_id}",
            partition_key=period,
            tags={CLOSE_REQUEST_TAG: str(request_id)},
        )
        record_close_event(url, request_id, "launched", "", f"close of {period} launched")


def _innermost_message(error: SerializableErrorInfo) -> str:
    """The reason itself (e.g. the PeriodCloseError's), not Dagster's wrapping of it."""
    while error.cause is not None:
        error = error.cause
    head, _, reason = error.message.strip().partition(": ")
    # the message starts with the exception's qualified class name: the reader wants the reason
    return reason if error.cls_name and head.endswith(error.cls_name) else error.message.strip()


def _request_of(context: RunStatusSensorContext) -> int | None:
    tag = context.dagster_run.tags.get(CLOSE_REQUEST_TAG)
    return int(tag) if tag else None


@run_status_sensor(
    name="close_request_closed",
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[close_commission_period],
    default_status=DefaultSensorStatus.RUNNING,
    description="Record a requested close as done when its run succeeds.",
)
def close_request_closed(context: RunStatusSensorContext) -> None:
    request_id = _request_of(context)
    if request_id is not None:
        run_id = context.dagster_run.run_id
        record_close_event(warehouse_url(), request_id, "closed", run_id, "month closed")


@run_failure_sensor(
    name="close_request_failed",
    monitored_jobs=[close_commission_period],
    default_status=DefaultSensorStatus.RUNNING,
    description="Record a requested close as failed, with the reason, when its run fails.",
)
def close_request_failed(context: RunFailureSensorContext) -> None:
    request_id = _request_of(context)
    if request_id is None:
        return
    reasons = [
        _innermost_message(event.event_specific_data.error)
        for event in context.get_step_failure_events()
        if event.event_specific_data and event.event_specific_data.error
    ]
    message = "; ".join(reasons) or context.failure_event.message or "the close run failed"
    run_id = context.dagster_run.run_id
    record_close_event(warehouse_url(), request_id, "failed", run_id, message[:2000])
