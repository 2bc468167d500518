"""Schedules, in the timezone of `PIPELINE_TIMEZONE` (an IANA name; default UTC).

- `crm_hourly`: on the hour, 08:00-19:00, Monday-Friday: `crm_incremental`.
- `nightly_pipeline`: 02:00 every day: `warehouse_pipeline`, the orders and every other source,
  then the full dbt build after the loads (the asset graph orders them within the run).
- `monthly_close_reminder`: 09:00 on the 1st: `period_close_reminder` for the month just ended.
- `nightly_backup`: 01:30 every day: `warehouse_backup`, the closed months and month-end's
  decisions (docs/backup.md). Before the nightly pipeline, so whatever that run or the next
  day's closes do, last evening's state is in an archive.

They start switched on, so `make run`'s daemon runs them.
"""

from __future__ import annotations

import datetime as dt
import os

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)

from orchestration.defs.backup import BACKUP_JOB_NAME
from orchestration.defs.jobs import CRM_JOB_NAME, PIPELINE_JOB_NAME, period_close_reminder

TIMEZONE_ENV = "PIPELINE_TIMEZONE"
CRM_HOURLY_CRON = "0 8-19 * * 1-5"
NIGHTLY_CRON = "0 2 * * *"
CLOSE_REMINDER_CRON = "0 9 1 * *"
BACKUP_CRON = "30 1 * * *"


def pipeline_timezone() -> str:
    """The schedules' timezone: `PIPELINE_TIMEZONE`, else UTC."""
    return os.environ.get(TIMEZONE_ENV, "").strip() or "UTC"


crm_hourly = ScheduleDefinition(
    name="crm_hourly",
    job_name=CRM_JOB_NAME,
    cron_schedule=CRM_HOURLY_CRON,
    execution_timezone=pipeline_timezone(),
    default_status=DefaultScheduleStatus.RUNNING,
    description="CRM incremental load, hourly in business hours (Monday-Friday, 08-19h).",
)

nightly_pipeline = ScheduleDefinition(
    name="nightly_pipeline",
    job_name=PIPELINE_JOB_NAME,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=pipeline_timezone(),
    default_status=DefaultScheduleStatus.RUNNING,
    description="Orders and every other source, then the full dbt build and checks after them.",
)

nightly_backup = ScheduleDefinition(
    name="nightly_backup",
    job_name=BACKUP_JOB_NAME,
    cron_schedule=BACKUP_CRON,
    execution_timezone=pipeline_timezone(),
    default_status=DefaultScheduleStatus.RUNNING,
    description="Dump the closed months and month-end's decisions, keep the newest BACKUP_KEEP.",
)


def month_just_ended(moment: dt.datetime) -> dt.date:
    """The first day of the month before `moment`'s month."""
    first_of_this_month = moment.date().replace(day=1)
    return (first_of_this_month - dt.timedelta(days=1)).replace(day=1)


@schedule(
    name="monthly_close_reminder",
    job=period_close_reminder,
    cron_schedule=CLOSE_REMINDER_CRON,
    execution_timezone=pipeline_timezone(),
    default_status=DefaultScheduleStatus.RUNNING,
    description="On the 1st, remind finance to close the month just ended.",
)
def monthly_close_reminder(context: ScheduleEvaluationContext) -> RunRequest:
    period_start = month_just_ended(context.scheduled_execution_time)
    return RunRequest(
        run_key=f"close-reminder-{period_start:%Y-%m}",
        run_config={
            "ops": {
                "remind_to_close_period": {"config": {"period_start": period_start.isoformat()}}
            }
        },
        tags={"period": f"{period_start:%Y-%m}"},
    )
