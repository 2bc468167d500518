"""Schedules fire when the business expects them to; failures and reminders reach the webhook."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster._utils.schedules import cron_string_iterator

from orchestration.alerts import send_alert
from orchestration.defs import schedules
from orchestration.defs.jobs import period_close_reminder
from orchestration.defs.sensors import alert_on_run_failure

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _next_ticks(schedule: dg.ScheduleDefinition, start: dt.datetime, count: int) -> list:
    ticks = cron_string_iterator(
        start.timestamp(), schedule.cron_schedule, schedule.execution_timezone
    )
    return [tick.strftime("%a %Y-%m-%d %H:%M") for tick in itertools.islice(ticks, count)]


@pytest.fixture
def shanghai_schedules(monkeypatch: pytest.MonkeyPatch):
    """The schedules module as loaded with PIPELINE_TIMEZONE=Asia/Shanghai."""
    monkeypatch.setenv("PIPELINE_TIMEZONE", "Asia/Shanghai")
    yield importlib.reload(schedules)
    monkeypatch.delenv("PIPELINE_TIMEZONE")
    importlib.reload(schedules)


def test_the_timezone_comes_from_the_environment(shanghai_schedules) -> None:
    assert {
        s.execution_timezone
        for s in (
            shanghai_schedules.crm_hourly,
            shanghai_schedules.nightly_pipeline,
            shanghai_schedules.monthly_close_reminder,
        )
    } == {"Asia/Shanghai"}


def test_without_a_timezone_schedules_run_in_utc() -> None:
    assert schedules.nightly_pipeline.execution_timezone == "UTC"


def test_crm_loads_hourly_in_business_hours_only(shanghai_schedules) -> None:
    # Friday 2026-11-20 17:30 Shanghai: 18:00 and 19:00 that evening, then Monday from 08:00.
    start = dt.datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI)
    assert _next_ticks(shanghai_schedules.crm_hourly, start, 4) == [
        "Fri 2026-11-20 18:00",
        "Fri 2026-11-20 19:00",
        "Mon 2026-11-23 08:00",
        "Mon 2026-11-23 09:00",
    ]


def test_the_pipeline_runs_nightly_and_the_reminder_monthly(shanghai_schedules) -> None:
    start = dt.datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
    assert _next_ticks(shanghai_schedules.nightly_pipeline, start, 2) == [
        "Tue 2026-12-01 02:00",
        "Wed 2026-12-02 02:00",
    ]
    assert _next_ticks(shanghai_schedules.monthly_close_reminder, start, 2) == [
        "Tue 2026-12-01 09:00",
        "Fri 2027-01-01 09:00",
    ]


@pytest.mark.parametrize(
    ("fires_at", "period"),
    [
        (dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI), "2026-11-01"),
        (dt.datetime(2027, 1, 1, 9, tzinfo=SHANGHAI), "2026-12-01"),
    ],
)
def test_the_reminder_names_the_month_just_ended(fires_at: dt.datetime, period: str) -> None:
    context = dg.build_schedule_context(scheduled_execution_time=fires_at)
    request = schedules.monthly_close_reminder(context)
    assert request.run_config == {
        "ops": {"remind_to_close_period": {"config": {"period_start": period}}}
    }
    assert request.run_key == f"close-reminder-{period[:7]}"


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    """A local HTTP server standing in for the chat webhook; yields what it received."""
    received: list[dict] = []
    handler = type("Handler", (_Webhook,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ALERT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hooks/t0k3n")
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def test_the_reminder_job_posts_to_the_webhook(webhook: list[dict]) -> None:
    result = period_close_reminder.execute_in_process(
        run_config={"ops": {"remind_to_close_period": {"config": {"period_start": "2026-11-01"}}}}
    )
    assert result.success
    assert len(webhook) == 1
    assert webhook[0]["event"] == "period_close_reminder"
    assert webhook[0]["period_start"] == "2026-11-01"
    assert "Period 2026-11 has ended" in webhook[0]["text"]


@dg.op
def load_crm() -> None:
    raise ConnectionError("CRM API answered 503")


@dg.job
def failing_load() -> None:
    load_crm()


def _failure_context(instance: dg.DagsterInstance) -> dg.RunFailureSensorContext:
    result = failing_load.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    (failure,) = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    return dg.build_run_status_sensor_context(
        sensor_name="alert_on_run_failure",
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
    ).for_run_failure()


def test_a_failed_run_is_posted_to_the_webhook_naming_the_step(webhook: list[dict]) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        context = _failure_context(instance)
        alert_on_run_failure(context)
    assert len(webhook) == 1
    alert = webhook[0]
    assert alert["event"] == "run_failure"
    assert alert["job"] == "failing_load"
    assert alert["failed_steps"] == ["load_crm"]
    assert alert["text"].startswith(f"Run {context.dagster_run.run_id[:8]} of job failing_load")
    assert "steps load_crm" in alert["text"]


def test_without_a_webhook_the_alert_is_only_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("ALERT_WEBHOOK_URL", raising=False)
    logger = logging.getLogger("alerts-test")
    with caplog.at_level(logging.ERROR, logger="alerts-test"):
        assert send_alert("run_failure", "Run 1 of job x failed", logger) is False
    assert caplog.messages == ["ALERT [run_failure] Run 1 of job x failed"]


def test_an_unreachable_webhook_is_logged_without_its_secret(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ALERT_WEBHOOK_URL", "http://127.0.0.1:1/hooks/s3cr3t")
    logger = logging.getLogger("alerts-test")
    with caplog.at_level(logging.WARNING, logger="alerts-test"):
        assert send_alert("run_failure", "Run 1 failed", logger) is False
    assert any("not reached" in message for message in caplog.messages)
    assert not any("s3cr3t" in message for message in caplog.messages)
