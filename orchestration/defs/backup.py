"""The nightly backup of what the warehouse cannot rebuild (`ingestion.platform.backup`).

One asset, `backup/irreplaceable_schemas`: materializing it dumps the schemas listed in
`IRREPLACEABLE_SCHEMAS` (the closed commission months and month-end's decisions) into
`BACKUP_DIR` and deletes all but the newest `BACKUP_KEEP` archives. Its check reads the file back
with `pg_restore`, so a backup that exists but could not be restored fails in the UI the night it
is taken, not on the day it is needed. The job `warehouse_backup` runs both; the schedule
`nightly_backup` (orchestration/defs/schedules.py) runs the job.
"""

from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    MaterializeResult,
    asset,
    asset_check,
    define_asset_job,
)

from ingestion.platform.backup import IRREPLACEABLE_SCHEMAS, archive_problems, create_backup
from ingestion.platform.warehouse_url import warehouse_url
from orchestration.defs.incentives.period_close import STORE_SCHEMA, STORE_TABLES

BACKUP_GROUP = "backup"
BACKUP_JOB_NAME = "warehouse_backup"
BACKUP_KEY = AssetKey([BACKUP_GROUP, "irreplaceable_schemas"])


@asset(
    key=BACKUP_KEY,
    group_name=BACKUP_GROUP,
    kinds={"postgres"},
    deps=[AssetKey([STORE_SCHEMA, table]) for table in STORE_TABLES],
    description=f"pg_dump archive of {', '.join(IRREPLACEABLE_SCHEMAS)}: the data no pipeline"
    " run can recompute (docs/backup.md).",
)
def irreplaceable_schemas(context: AssetExecutionContext) -> MaterializeResult:
    done = create_backup(warehouse_url())
    context.log.info(f"backup {done.path}; removed {len(done.removed)} older archive(s)")
    return MaterializeResult(
        metadata={
            "path": str(done.path),
            "bytes": done.path.stat().st_size,
            "schemas": ", ".join(done.schemas),
            "not_yet_created": ", ".join(done.missing),
            "older_archives_removed": len(done.removed),
        }
    )


@asset_check(
    asset=BACKUP_KEY,
    description="The archive just written exists, is non-empty, and pg_restore reads every"
    " schema it should hold.",
)
def backup_is_restorable(context: AssetCheckExecutionContext) -> AssetCheckResult:
    event = context.instance.get_latest_materialization_event(BACKUP_KEY)
    materialization = event.asset_materialization if event else None
    if materialization is None:
        return AssetCheckResult(passed=False, metadata={"problem": "no backup taken yet"})
    metadata = materialization.metadata
    path = Path(str(metadata["path"].value))
    schemas = tuple(filter(None, str(metadata["schemas"].value).split(", ")))
    problems = archive_problems(path, schemas)
    return AssetCheckResult(
        passed=not problems,
        metadata={"path": str(path), "problems": "; ".join(problems) or "none"},
    )


warehouse_backup = define_asset_job(
    name=BACKUP_JOB_NAME,
    selection=AssetSelection.groups(BACKUP_GROUP),
    description="Dump the irreplaceable schemas, apply the retention count, check the archive.",
)
