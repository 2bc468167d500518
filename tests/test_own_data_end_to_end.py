"""From nothing to one's own marts with only exports, an org file and a mapping (issue 14).

A warehouse of its own first loads the tiny company as the demo (demo mode, its settings where
`make demo` writes them), then switches to own data: the CRM exports and finance folder of
tests/fixtures/own_company (docs/own-data.md walks through them), `make demo-remove`'s function,
one run of the real pipeline job. Every row of every file must end in the marts or in a
`*_rejected` table with its reason, and nothing of the tiny company may remain. A second run adds
an export row dated before the first FX rate: the build fails naming the currency and the date.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from dagster import DagsterInstance, materialize
from dbt.cli.main import dbtRunner

from ingestion.platform.warehouse_url import (
    drop_database,
    ensure_database,
    export_environment,
    with_database,
)

pytestmark = pytest.mark.e2e  # `make test-e2e` (CI runs it): slow, end to end

OWN_COMPANY = Path(__file__).resolve().parent / "fixtures" / "own_company"
OPPORTUNITIES = "opportunities_2016_2017.csv"
FX_TEST = "assert_every_converted_amount_has_an_fx_rate"

# deal: pipeline, stage label, status, rep, lead source, USD amount, rate, CNY
# (rate of the close date, else of the creation date: 6.5 in 2016 H1, 6.6 H2, 6.9 2017 H1, 7.0 H2)
D, L = "direct", "inbound"
REP_TEAMS = {
    "201": ("N1", "north"),
    "202": ("N1", "north"),
    "203": ("S1", "south"),
    "204": ("S1", "south"),
}
EXPECTED_DEALS = {
    "OPP-01": (D, "Closed Won", "won", "201", "unknown", "1250.00", "6.5", "8125.00"),
    "OPP-02": (D, "Closed Won", "won", "202", "unknown", "3400.50", "6.5", "22103.25"),
    "OPP-03": (D, "Closed Lost", "lost", "202", "unknown", "900.00", "6.5", "5850.00"),
    "OPP-04": (D, "Closed Won", "won", "203", "unknown", "5000.00", "6.6", "33000.00"),
    "OPP-05": (D, "Proposal", "open", "203", "unknown", "2200.00", "6.6", "14520.00"),
    "OPP-06": (D, "Closed Lost", "lost", "204", "unknown", "1100.00", "6.6", "7260.00"),
    "OPP-07": (D, "Closed Won", "won", "204", "unknown", "7500.20", "6.9", "51751.38"),
    "OPP-08": (D, "Negotiation", "open", "201", "unknown", "4000.00", "6.9", "27600.00"),
    "OPP-09": (D, "Closed Won", "won", "202", "unknown", "2750.00", "6.9", "18975.00"),
    "OPP-10": (D, "Lead", "open", "203", "unknown", "600.00", "7.0", "4200.00"),
    "OPP-11": (D, "Closed Won", "won", "204", "unknown", "10000.00", "7.0", "70000.00"),
    "OPP-12": (D, "Closed Won", "won", "202", "unknown", "1999.99", "7.0", "13999.93"),
    "L-101": (L, "Converted", "won", "201", "Webinar", "950.00", "6.5", "6175.00"),
    "L-102": (L, "Qualified", "open", "202", "Webinar", "1200.00", "6.5", "7800.00"),
    "L-103": (L, "Converted", "won", "203", "Trade Show", "2600.00", "6.6", "17160.00"),
    "L-104": (L, "Disqualified", "lost", "204", "Trade Show", "3000.00", "6.6", "19800.00"),
    "L-105": (L, "Qualified", "open", "203", "Trade Show", "1500.00", "6.6", "9900.00"),
    "L-106": (L, "Converted", "won", "202", "Referral", "4200.00", "6.9", "28980.00"),
    "L-107": (L, "Disqualified", "lost", "204", "Referral", "2000.00", "6.9", "13800.00"),
    "L-108": (L, "Converted", "won", "201", "Webinar", "480.00", "7.0", "3360.00"),
}
DUPLICATE = "a key may repeat only where a file declares `updates:` the file it updates"
EXPECTED_REJECTED = {
    (OPPORTUNITIES, 14, "Sales Agent", "'Erik Lund' is not in the mapping's people"),
    (
        OPPORTUNITIES,
        15,
        "Opportunity ID",
        f"deal_id 'L-110' is also in marketing/qualified_leads.csv row 10: {DUPLICATE}"
        " (fix the key or declare the update)",
    ),
    (
        "marketing/qualified_leads.csv",
        10,
        "Lead ID",
        f"deal_id 'L-110' is also in {OPPORTUNITIES} row 15: {DUPLICATE}"
        " (fix the key or declare the update)",
    ),
}
# file: rows read, loaded, rejected, merged (header excluded)
EXPECTED_RECONCILIATION = {
    "raw_crm_files": {
        OPPORTUNITIES: (14, 12, 2, 0),
        "marketing/qualified_leads.csv": (9, 8, 1, 0),
        "marketing/closed_deals.csv": (6, 0, 0, 6),
    },
    "raw_finance": {
        "fx_rates/usd_cny_2016_2017.csv": (731, 731, 0, 0),
        "org/regions.csv": (2, 2, 0, 0),
        "org/teams.csv": (2, 2, 0, 0),
        "org/reps.csv": (4, 4, 0, 0),
        "org/rep_assignments.csv": (4, 4, 0, 0),
    },
}
COMMISSION_MARTS = ("fct_commission_lines", "fct_incentive_points", "fct_payouts")
TINY_DEMO_DATASETS = ["raw_crm", "raw_crm_files", "raw_finance", "raw_orders"]


def _rows(url: str, sql: str, params: tuple | None = None) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _run_pipeline():
    from orchestration.definitions import defs
    from orchestration.defs.jobs import PIPELINE_JOB_NAME

    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    with DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False)


def _load_tiny_company_as_the_demo(tiny_company: dict[str, str], state: Path) -> None:
    """Demo mode on the tiny company: its settings in `make demo`'s file, its raw tables loaded
    (each load leaves the marker `make demo-remove` follows)."""
    from orchestration.defs.ingestion.crm_files import raw_crm_files_assets
    from orchestration.defs.ingestion.finance_files import raw_finance_assets
    from orchestration.defs.ingestion.hubspot import raw_crm_assets
    from orchestration.defs.ingestion.orders_db import raw_orders_assets
    from orchestration.resources import build_resources

    demo = state / "demo"
    demo.mkdir(parents=True)
    (demo / "sources.toml").write_text(
        "[sources.hubspot]\n"
        f'access_token = "{tiny_company["SOURCES__HUBSPOT__ACCESS_TOKEN"]}"\n'
        f'base_url = "{tiny_company["SOURCES__HUBSPOT__BASE_URL"]}"\n'
        "[sources.orders_db]\n"
        f'credentials = "{tiny_company["SOURCES__ORDERS_DB__CREDENTIALS"]}"\n'
        "[sources.crm_files]\n"
        f'folder = "{tiny_company["SOURCES__CRM_FILES__FOLDER"]}"\n'
        "[sources.finance_files]\n"
        f'folder = "{tiny_company["SOURCES__FINANCE_FILES__FOLDER"]}"\n'
    )
    assets = [raw_crm_assets, raw_orders_assets, raw_crm_files_assets, raw_finance_assets]
    result = materialize(assets, resources=build_resources(), raise_on_error=False)
    assert result.success, [
        str(e.step_failure_data.error) for e in result.get_step_failure_events()
    ]


@pytest.fixture(scope="module")
def own_warehouse(
    warehouse_url: str, tiny_company: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict]:
    """The warehouse after the switch: tiny company as the demo, then own data, demo removed,
    one pipeline run. Yields its URL, the run, what demo-remove took out and the own folders."""
    from orchestration.demo_removal import remove_demo

    admin = with_database(warehouse_url, "postgres")
    name = f"spw_own_{uuid.uuid4().hex[:8]}"
    ensure_database(admin, name)
    url = with_database(warehouse_url, name)
    state = tmp_path_factory.mktemp("own_state")
    own = tmp_path_factory.mktemp("own_company")
    shutil.copytree(OWN_COMPANY, own, dirs_exist_ok=True)
    saved = dict(os.environ)
    for variable in [variable for variable in os.environ if variable.startswith("SOURCES__")]:
        del os.environ[variable]
    os.environ.update({"WAREHOUSE_URL": url, "SPW_STATE_DIR": str(state)})
    export_environment()
    try:
        _load_tiny_company_as_the_demo(tiny_company, state)
        tiny_before = _rows(
            url, "select count(*) from raw_crm_files.deals where deal_id like 'QD-%'"
        )
        os.environ["SOURCES__CRM_FILES__FOLDER"] = str(own / "crm_exports")
        os.environ["SOURCES__FINANCE_FILES__FOLDER"] = str(own / "finance")
        removed = remove_demo(url)
        yield {
            "url": url,
            "run": _run_pipeline(),
            "removed": removed,
            "tiny_before": tiny_before,
            "folder": own,
        }
    finally:
        os.environ.clear()
        os.environ.update(saved)
        drop_database(admin, name)


def test_every_file_row_ends_in_the_marts_or_rejected_and_no_demo_row_remains(
    own_warehouse: dict,
) -> None:
    url, run = own_warehouse["url"], own_warehouse["run"]
    # every step succeeds: with no commission plans configured nothing is owed, so the guarded
    # commission marts pass their checks empty and are published empty
    failed = sorted(event.step_key for event in run.get_step_failure_events())
    assert failed == [], [
        str(event.step_failure_data.error) for event in run.get_step_failure_events()
    ]
    for table in COMMISSION_MARTS:
        assert _rows(url, f"select count(*) from marts.{table}") == [(0,)]
    assert own_warehouse["tiny_before"] == [(2,)]  # QD-1, QD-2 were loaded as the demo
    assert own_warehouse["removed"]["datasets"] == TINY_DEMO_DATASETS

    deals = _rows(
        url,
        "select deal_id, pipeline_id, stage_label, deal_status, rep_id, team_id, region_id,"
        " lead_source, deal_amount, fx_rate, deal_reporting_amount from marts.fct_deals",
    )
    assert {row[0]: row[1:] for row in deals} == {
        deal: (*text[:4], *REP_TEAMS[text[3]], text[4], *(Decimal(value) for value in text[5:]))
        for deal, text in EXPECTED_DEALS.items()
    }
    assert _rows(
        url,
        "select count(*), sum(deal_amount), sum(deal_reporting_amount), min(deal_currency),"
        " max(deal_currency), min(reporting_currency) from marts.fct_deals",
    ) == [(20, Decimal("56630.69"), Decimal("384359.56"), "USD", "USD", "CNY")]
    # the opportunities export's deals carry the product line its mapping sets as a constant
    assert set(
        _rows(url, "select product_line, count(*) from marts.fct_deals group by product_line")
    ) == {("Marine pumps", 12), (None, 8)}
    # won count and conversion by lead source (the CRM export has none: unknown)
    by_source = _rows(
        url,
        "select lead_source, count(*), count(*) filter (where is_won),"
        " round(count(*) filter (where is_won)::numeric / count(*), 4)"
        " from marts.fct_deals group by lead_source",
    )
    assert set(by_source) == {
        ("Webinar", 3, 2, Decimal("0.6667")),
        ("Trade Show", 3, 1, Decimal("0.3333")),
        ("Referral", 2, 1, Decimal("0.5000")),
        ("unknown", 12, 7, Decimal("0.5833")),
    }

    DS, ML, CF = "Direct sales", "Marketing leads", "crm_files"
    # the mapping's own pipelines reach the marts with their labels, order, won/lost, probability
    assert set(
        _rows(
            url,
            "select pipeline_id, pipeline_label, stage_id, stage_label, stage_display_order,"
            " is_won, is_lost, win_probability, source_system from marts.dim_pipeline_stages",
        )
    ) == {
        (D, DS, "d_lead", "Lead", 0, False, False, Decimal("0.1"), CF),
        (D, DS, "d_proposal", "Proposal", 1, False, False, Decimal("0.4"), CF),
        (D, DS, "d_negotiation", "Negotiation", 2, False, False, Decimal("0.7"), CF),
        (D, DS, "d_won", "Closed Won", 3, True, False, Decimal("1"), CF),
        (D, DS, "d_lost", "Closed Lost", 4, False, True, Decimal("0"), CF),
        (L, ML, "i_qualified", "Qualified", 0, False, False, Decimal("0.2"), CF),
        (L, ML, "i_converted", "Converted", 1, True, False, Decimal("1"), CF),
        (L, ML, "i_disqualified", "Disqualified", 2, False, True, Decimal("0"), CF),
    }
    assert set(
        _rows(
            url,
            "select pipeline_id, sum(deals_won), sum(deals_created) from marts.fct_funnel_stages"
            " group by pipeline_id",
        )
    ) == {(D, 7, 12), (L, 4, 8)}

    rejected = _rows(
        url, "select source_file, source_row, field, reason from raw_crm_files.deals_rejected"
    )
    assert set(rejected) == EXPECTED_REJECTED
    merged = _rows(url, "select merged_into_key from raw_crm_files.merged_rows")
    assert sorted(key for (key,) in merged) == [
        "L-101",
        "L-103",
        "L-104",
        "L-106",
        "L-107",
        "L-108",
    ]
    for schema, files in EXPECTED_RECONCILIATION.items():
        counts = _rows(
            url,
            f"select source_file, rows_read, rows_loaded, rows_rejected, rows_merged"
            f" from {schema}.file_reconciliation",
        )
        assert {row[0]: row[1:] for row in counts} == files
        assert all(read == sum(parts) for read, *parts in files.values())

    # nothing of the tiny company: no hubspot or orders row anywhere in the marts or raw tables
    systems = _rows(
        url,
        "select table_name from information_schema.columns"
        " where table_schema = 'marts' and column_name = 'source_system'",
    )
    for (table,) in systems:
        found = _rows(url, f'select distinct source_system from marts."{table}"')
        assert {system for (system,) in found} <= {"crm_files", "finance_files"}, table
    assert _rows(url, "select count(*) from raw_crm.deals") == [(0,)]
    assert _rows(url, "select count(*) from raw_orders.orders") == [(0,)]
    assert _rows(url, "select count(*) from marts.fct_orders") == [(0,)]
    assert _rows(url, "select string_agg(rep_id, ',' order by rep_id) from marts.dim_reps") == [
        ("201,202,203,204",)
    ]


def test_an_export_row_without_an_fx_rate_fails_the_build_naming_currency_and_date(
    own_warehouse: dict, tmp_path: Path
) -> None:
    url = own_warehouse["url"]
    opportunities = own_warehouse["folder"] / "crm_exports" / OPPORTUNITIES
    with opportunities.open("a", encoding="utf-8", newline="") as export:
        export.write("OPP-14;Legacy quote;Anna Berg;North;ACC-1;Proposal;500,00;15.12.2015;\r\n")

    run = _run_pipeline()

    [dbt_failure] = [
        str(event.step_failure_data.error)
        for event in run.get_step_failure_events()
        if event.step_key == "warehouse_dbt_models"
    ]
    assert f"FAIL 1 {FX_TEST}" in dbt_failure
    # the test's rows name the model, currency, date, row count and the deal (its compiled SQL)
    target = tmp_path / "dbt_target"
    project = Path(__file__).resolve().parents[1] / "dbt_project"
    compiled = dbtRunner().invoke(
        ["compile", "--select", FX_TEST, "--project-dir", str(project), "--profiles-dir",
         str(project), "--target-path", str(target), "--quiet"]
    )  # fmt: skip
    assert compiled.success, compiled.exception
    query = next(target.rglob(f"{FX_TEST}.sql")).read_text()
    assert _rows(url, query) == [("int_deals_enriched", "USD", date(2015, 12, 15), 1, "OPP-14")]
