"""`python -m bench.spark_raw <root>`: the raw layer as Parquet, as a user moving to Spark loads it.

Every `raw` asset of the pipeline job (the orders database, the CRMs, the files, the plans) runs
as Dagster runs it, with `RAW_DESTINATION=filesystem` and `RAW_BUCKET_URL` set by the caller, so
the real dlt pipelines write `<root>/raw_<source>/<table>/` (docs/spark.md). Month-end's
decisions (`commission_ops`), which the app writes into PostgreSQL, are then exported beside them
from the warehouse, as docs/spark.md says a Spark build reads them.
"""

from __future__ import annotations

import sys
from pathlib import Path

# month-end's decisions: tables of PostgreSQL that the Spark build reads as sources
DECISION_TABLES = ("commission_ops.dispute_status", "commission_ops.hold_status")


def load_raw_assets() -> None:
    from dagster import AssetSelection, DagsterInstance

    from orchestration.definitions import defs
    from orchestration.defs.jobs import PIPELINE_JOB_NAME

    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    keys = AssetSelection.groups("raw").resolve(defs.resolve_asset_graph())
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance, asset_selection=sorted(keys), raise_on_error=False
        )
    if not result.success:
        failed = sorted({event.step_key for event in result.get_step_failure_events()})
        raise SystemExit(f"spark_raw: the raw loads failed: {', '.join(failed)}")


def export_decisions(url: str, root: Path) -> None:
    """Each decision table as one Parquet file in `<root>/<schema>/<table>/` (ConnectorX keeps
    numeric as decimal and timestamps as timestamps)."""
    import connectorx
    import pyarrow.parquet as pq

    for name in DECISION_TABLES:
        table = connectorx.read_sql(url, f"select * from {name}", return_type="arrow")
        folder = root.joinpath(*name.split("."))
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / "part-0.parquet")


def main() -> int:
    from ingestion.platform.warehouse_url import warehouse_url
    from ingestion.raw_files import raw_bucket_url

    bucket_url = raw_bucket_url()
    if bucket_url is None:
        raise SystemExit("spark_raw: set RAW_DESTINATION=filesystem and RAW_BUCKET_URL")
    load_raw_assets()
    export_decisions(warehouse_url(), Path(bucket_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
