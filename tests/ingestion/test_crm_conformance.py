"""Conformance (issue 16): the tiny company's CRM served through each CRM's fake server gives
the same marts as through the fake HubSpot server. One test, every CRM (`crm_twins.TWINS`).

The HubSpot side is the session's `pipeline_run` (the real pipeline job on the tiny company).
Each other CRM runs the same job (all at once, a process each) in a warehouse database of its
own, with the same orders, finance and export files, no other CRM configured and its own source
pointed at a fake server holding the same business (its twin). Every row of every mart must be
equal, but for the columns that name the system (`source_system`) and the pipeline's label
(Salesforce has no pipeline object: its one pipeline is called "Opportunities").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from fixtures.marts import marts_rows
from fixtures.tiny_company.crm import crm_data

from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import (
    drop_database,
    ensure_database,
    with_database,
)
from ingestion.source_settings import CRM_APIS
from tests.ingestion.crm_twins import TWINS

SYSTEM_COLUMNS = {"source_system", "pipeline_label"}


def _comparable(url: str, snapshot: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The snapshot's rows without the system-naming columns, sorted."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'marts' and column_name not like '\\_dlt\\_%%'"
            " and column_name not like '%%\\_refreshed\\_at'"
            " order by table_name, ordinal_position"
        )
        columns: dict[str, list[str]] = {}
        for table, column in cur.fetchall():
            columns.setdefault(table, []).append(column)
    return {
        table: sorted(
            (
                tuple(
                    v
                    for v, name in zip(row, columns[table], strict=True)
                    if name not in SYSTEM_COLUMNS
                )
                for row in rows
            ),
            key=repr,
        )
        for table, rows in snapshot.items()
    }


@pytest.fixture(scope="module")
def crm_runs(
    warehouse_url: str, tiny_company: dict[str, str], pipeline_run, tmp_path_factory
) -> Iterator[dict[str, dict]]:
    """The pipeline job run once on the tiny company per twin (its CRM in another CRM), all at
    once: each in a process (`twin_pipeline`) and a warehouse database of its own, with the
    session's orders, finance and export files and no CRM configured but the twin's."""
    admin = with_database(warehouse_url, "postgres")
    others = {
        variable: value
        for variable, value in os.environ.items()
        if not any(variable.startswith(f"SOURCES__{crm.upper()}__") for crm in CRM_APIS)
    }
    runs: dict[str, dict] = {}
    try:
        for name, make_twin in sorted(TWINS.items()):
            twin = make_twin(crm_data())
            runs[name] = run = {"twin": twin, "name": f"spw_{name}_{uuid.uuid4().hex[:8]}"}
            ensure_database(admin, run["name"])
            run["url"] = with_database(warehouse_url, run["name"])
            folder = tmp_path_factory.mktemp(f"{name}_run")
            run["result"], run["log"] = folder / "failures.json", folder / "job.log"
            environment = {
                **others,
                "WAREHOUSE_URL": run["url"],
                "SPW_STATE_DIR": str(folder / "state"),
                **twin.settings,
            }
            with run["log"].open("w", encoding="utf-8") as log:
                run["process"] = subprocess.Popen(
                    [sys.executable, "-m", "tests.ingestion.twin_pipeline", str(run["result"])],
                    cwd=PROJECT_ROOT,
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        for run in runs.values():
            returncode = run["process"].wait(timeout=1800)
            log_tail = run["log"].read_text(encoding="utf-8")[-4000:]
            assert returncode == 0 and run["result"].exists(), log_tail
            run["failures"] = json.loads(run["result"].read_text(encoding="utf-8"))
            run["snapshot"] = marts_rows(run["url"])
        yield runs
    finally:
        for run in runs.values():
            if "process" in run and run["process"].poll() is None:
                run["process"].kill()
                run["process"].wait()
            run["twin"].stop()
            drop_database(admin, run["name"])


@pytest.mark.parametrize("crm", sorted(TWINS))
def test_each_crm_gives_the_marts_hubspot_gives(
    warehouse_url: str, pipeline_run, crm_runs: dict[str, dict], crm: str
) -> None:
    crm_run = crm_runs[crm]
    twin = crm_run["twin"]
    assert crm_run["failures"] == {}
    # the CRM's deals came through the twin (1006 deleted) beside the export files' QD-1 and QD-2
    with psycopg2.connect(crm_run["url"]) as conn, conn.cursor() as cur:
        cur.execute(
            "select source_system, count(*), count(*) filter (where is_deleted)"
            " from intermediate.int_crm_deals_unioned group by 1 order by 1"
        )
        assert cur.fetchall() == sorted([("crm_files", 2, 0), (twin.source_system, *twin.deals)])
    hubspot_snapshot = pipeline_run.marts
    hubspot = _comparable(warehouse_url, hubspot_snapshot)
    through_twin = _comparable(crm_run["url"], crm_run["snapshot"])
    assert sorted(through_twin) == sorted(hubspot)
    # the deals, the won amounts, the funnel and the stage history, named to show first
    for table in ("fct_deals", "fct_deal_stage_history", "fct_funnel_stages", "fct_activities"):
        assert len(through_twin[table]) > 0
        assert through_twin[table] == hubspot[table], table
    different = [t for t in hubspot if through_twin[t] != hubspot[t]]
    # only the marts that need property history may differ (a past period's accuracy can even
    # have no forecast without the close dates the CRM showed that day)
    assert sorted(different) == sorted(twin.without_history & set(different))
    for table in twin.without_history:
        assert len(through_twin[table]) > 0, table
