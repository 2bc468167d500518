"""Jobs: what the schedules, the sensors and `make pipeline` run.

- `warehouse_pipeline`: every source, then the full dbt build with its tests, the Great
  Expectations checks and the publish of the guarded marts (not the closed commission months,
  which only the period-close job materializes, nor the backup, which `warehouse_backup` takes).
  `make pipeline` and the nightly schedule run it; the asset graph orders the steps, so the
  build always follows the loads.
- `crm_incremental`: only the CRM APIs' incremental loads, hourly in business hours.
- `period_close_reminder`: tells finance a month has ended and is waiting to be closed.
"""

import datetime as dt

from dagster import AssetSelection, Config, OpExecutionContext, define_asset_job, job, op

from orchestration.alerts import send_alert
from orchestration.defs.backup import BACKUP_GROUP
from orchestration.defs.incentives.period_close import STORE_SCHEMA

PIPELINE_JOB_NAME = "warehouse_pipeline"
CRM_JOB_NAME = "crm_incremental"

warehouse_pipeline = define_asset_job(
    name=PIPELINE_JOB_NAME,
    # every asset but the closed months, which only the period-close job materializes, and the
    # backup, which its own job takes
    selection=AssetSelection.all() - AssetSelection.groups(STORE_SCHEMA, BACKUP_GROUP),
    description="Load every source, then build and test every dbt model, then run the checks.",
)

crm_incremental = define_asset_job(
    name=CRM_JOB_NAME,
    selection=AssetSelection.key_prefixes(
        ["raw_crm"], ["raw_salesforce"], ["raw_zoho"], ["raw_jiandaoyun"]
    ),
    description=(
        "Incremental load of the CRM APIs (HubSpot, Salesforce, Zoho, Jiandaoyun) into their raw"
        " schemas."
    ),
)


class CloseReminderConfig(Config):
    """The month waiting to be closed, as `YYYY-MM-01`."""

    period_start: str


def close_reminder_text(period_start: dt.date) -> str:
    """What finance reads: which month, and the command that closes it."""
    label = period_start.strftime("%Y-%m")
    return (
        f"Period {label} has ended: review its payouts (marts.fct_payouts, status open), then"
        f" close it with the period-close job for partition {period_start.isoformat()}"
        " (README, Operating), which freezes its lines and payouts."
    )


@op(description="Log the reminder and post it to the alert webhook when one is configured.")
def remind_to_close_period(context: OpExecutionContext, config: CloseReminderConfig) -> None:
    period_start = dt.date.fromisoformat(config.period_start)
    send_alert(
        "period_close_reminder",
        close_reminder_text(period_start),
        context.log,
        period_start=period_start.isoformat(),
    )


@job(description="Remind finance that last month is waiting to be closed.")
def period_close_reminder() -> None:
    remind_to_close_period()
