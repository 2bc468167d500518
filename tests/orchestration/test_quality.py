"""Great Expectations suites as asset checks, and write-audit-publish, on real PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.quality.checks import gx_check
from orchestration.defs.quality.publish import build_publish_asset
from orchestration.defs.quality.suites import attainment_within_bounds, row_count_near_previous
from orchestration.defs.quality.validation import (
    SuiteInputs,
    TableSuite,
    row_count_bounds,
    run_suite,
)


def test_row_count_bounds_follow_the_previous_good_run() -> None:
    # 100 rows last time, tolerance 0.5: 50..150; nothing yet: at least one row, no ceiling.
    assert row_count_bounds(100, 0.5) == (50, 150)
    assert row_count_bounds(None, 0.5) == (1, None)
    # a table that may rightly be empty (no plans: no commission lines) has no first minimum
    assert row_count_bounds(None, 0.5, may_be_empty=True) == (0, None)
    # 3 rows at 0.5: int(1.5) = 1 below, 4.5 rounded up = 5 above.
    assert row_count_bounds(3, 0.5) == (1, 5)


def _deals_suite(inputs: SuiteInputs):
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToBeUnique(column="deal_id"),
        gx.expectations.ExpectColumnValuesToBeBetween(column="amount", min_value=0),
        row_count_near_previous(inputs),
    ]


DEALS = TableSuite(schema="quality_test", table="deals", expectations=_deals_suite)


def test_a_failed_validation_names_what_failed_and_is_kept(query) -> None:
    query(
        "create schema if not exists quality_test;"
        " create table quality_test.deals (deal_id text, amount numeric(18, 2));"
        " insert into quality_test.deals values ('D1', 10.00), ('D2', 5.50)"
    )
    good = run_suite(DEALS, dagster_run_id="run-good")
    assert good.success, good.failed_expectations

    query("insert into quality_test.deals values ('D2', -1.00)")
    bad = run_suite(DEALS, dagster_run_id="run-bad")
    assert not bad.success
    # D2 twice (2 unexpected rows), one negative amount; 3 rows is within 2 +- 50% (1..3).
    assert bad.failed_expectations == [
        "expect_column_values_to_be_unique(deal_id): 2 unexpected",
        "expect_column_values_to_be_between(amount): 1 unexpected",
    ]
    rows = query(
        "select dagster_run_id, is_success, evaluated_expectations, successful_expectations,"
        " row_count from quality.validation_results where table_schema = 'quality_test'"
        " order by validation_id"
    )
    assert rows == [("run-good", True, 3, 3, 2), ("run-bad", False, 3, 1, 3)]
    assert bad.data_docs_path is not None and Path(bad.data_docs_path).is_file()
    assert "deal_id" in Path(bad.data_docs_path).read_text()

    result = bad.check_result()
    assert not result.passed
    assert result.metadata["results_table"].value.endswith(f"= {bad.validation_id}")


@pytest.fixture
def payouts_job(query):
    """A guarded table built by a stand-in for dbt, its blocking suite, the publish step and a
    consumer downstream: the shape the commission marts have in the real graph."""
    query(
        "create schema if not exists wap_test;"
        " create table wap_test.source_payouts (rep_id text, payout_amount numeric(18, 2));"
        " insert into wap_test.source_payouts values ('R1', 100.00), ('R2', 250.00)"
    )

    @dg.asset(key=["marts_audit", "wap_payouts"])
    def audited_payouts() -> None:
        query(
            "create schema if not exists marts_audit;"
            " drop table if exists marts_audit.wap_payouts;"
            " create table marts_audit.wap_payouts as select * from wap_test.source_payouts"
        )

    def suite(inputs: SuiteInputs):
        import great_expectations as gx

        return [gx.expectations.ExpectColumnValuesToBeBetween(column="payout_amount", min_value=0)]

    check = gx_check(
        TableSuite(schema="marts_audit", table="wap_payouts", expectations=suite), blocking=True
    )
    publish = build_publish_asset(["wap_payouts"], name="publish_wap_payouts")

    @dg.asset(key=["app", "wap_report"], deps=[dg.AssetKey(["marts", "wap_payouts"])])
    def report() -> None:
        query(
            "create table if not exists wap_test.report_runs (n int);"
            " insert into wap_test.report_runs values (1)"
        )

    defs = dg.Definitions(
        assets=[audited_payouts, publish, report],
        asset_checks=[check],
        jobs=[dg.define_asset_job("wap", selection=dg.AssetSelection.all())],
    )
    return defs.resolve_job_def("wap")


def test_a_failed_blocking_check_keeps_the_previous_good_table(payouts_job, query) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        first = payouts_job.execute_in_process(instance=instance, raise_on_error=False)
        assert first.success
        assert query("select * from marts.wap_payouts order by 1") == [
            ("R1", Decimal("100.00")),
            ("R2", Decimal("250.00")),
        ]

        query("insert into wap_test.source_payouts values ('R3', -40.00)")  # the broken row
        second = payouts_job.execute_in_process(instance=instance, raise_on_error=False)

    assert not second.success
    failed = {event.step_key for event in second.get_step_failure_events()}
    assert failed == {"marts_audit__wap_payouts_great_expectations"}
    # Only the stand-in for dbt materialized: the publish step and the app never ran.
    materialized = {
        event.asset_key.to_user_string() for event in second.get_asset_materialization_events()
    }
    assert materialized == {"marts_audit/wap_payouts"}
    # The audit schema holds the bad build; the app's table is still the previous good one.
    assert query("select count(*) from marts_audit.wap_payouts") == [(3,)]
    assert query("select * from marts.wap_payouts order by 1") == [
        ("R1", Decimal("100.00")),
        ("R2", Decimal("250.00")),
    ]
    assert query("select count(*) from wap_test.report_runs") == [(1,)]


def test_the_quality_gate_refuses_an_audited_table_that_fails(query, monkeypatch) -> None:
    from orchestration.defs.quality.guard import QualityGateError, require_audited_suites_pass

    # plans are configured (else an empty guarded table rightly passes), whichever tests ran first
    query(
        "create schema if not exists quality_test;"
        " create table quality_test.plan_versions (plan_id text); insert into"
        " quality_test.plan_versions values ('p');"
        " create schema if not exists marts_audit; create table marts_audit.gate_test (n int)"
    )
    monkeypatch.setattr(
        "orchestration.defs.quality.suites.PLAN_VERSIONS", "quality_test.plan_versions"
    )
    # An unknown guarded model gets the default suite: at least one row when there is no history.
    with pytest.raises(QualityGateError, match=r"marts_audit.gate_test: .*row_count.*observed 0"):
        require_audited_suites_pass(["gate_test"])
    query("insert into marts_audit.gate_test values (1)")
    (passed,) = require_audited_suites_pass(["gate_test"])
    assert passed.success and passed.row_count == 1


def test_a_reps_partial_month_is_judged_at_its_full_month_pace(query) -> None:
    # The attainment bound is -1..20; a month a rep joined or left in has a target prorated to
    # the days employed, so its attainment is scaled by days employed / 31 before the bound.
    query(
        "create schema if not exists quality_test;"
        " create table quality_test.attainment (scope_type text, scope_id text,"
        " period_type text, period_start date, period_end_date date, attainment_pct numeric);"
        " create table quality_test.reps (rep_id text, hire_date date, leave_date date);"
        " insert into quality_test.reps values"
        " ('full', '2024-03-01', null),"
        # left on 10 January (the first day gone): 9 of 31 days; two history rows, one rep
        " ('leaver', '2023-05-02', '2026-01-10'), ('leaver', '2023-05-02', '2026-01-10'),"
        # joined on 23 January: 23rd to 31st, 9 of 31 days
        " ('joiner', '2026-01-23', null);"
        " insert into quality_test.attainment values"
        # a whole month at 21x: out of bounds
        " ('rep', 'full', 'month', '2026-01-01', '2026-01-31', 21.0000),"
        # 21.1567 x 9 / 31 = 6.1423: within
        " ('rep', 'leaver', 'month', '2026-01-01', '2026-01-31', 21.1567),"
        # 80 x 9 / 31 = 23.2258: out of bounds even at the full month's pace
        " ('rep', 'joiner', 'month', '2026-01-01', '2026-01-31', 80.0000),"
        # the leaver's quarter is not prorated as a whole: 21.5 is out of bounds
        " ('rep', 'leaver', 'quarter', '2026-01-01', '2026-03-31', 21.5000),"
        # a team at 5x, a refund month at -1.5x, a zero target (null attainment)
        " ('team', 'T1', 'month', '2026-01-01', '2026-01-31', 5.0000),"
        " ('rep', 'full', 'month', '2026-02-01', '2026-02-28', -1.5000),"
        " ('rep', 'full', 'month', '2026-03-01', '2026-03-31', null)"
    )
    suite = TableSuite(
        schema="quality_test",
        table="attainment",
        expectations=lambda inputs: [attainment_within_bounds("quality_test.reps")],
    )
    validation = run_suite(suite, dagster_run_id="run-attainment")
    assert not validation.success
    (outcome,) = validation.result["expectations"]
    # the offending rows are kept with the result, so the failure says which rows
    offending = outcome["unexpected_rows_sample"]
    assert sorted(
        (row["scope_id"], row["period_type"], row["period_start"]) for row in offending
    ) == [
        ("full", "month", "2026-01-01"),
        ("full", "month", "2026-02-01"),
        ("joiner", "month", "2026-01-01"),
        ("leaver", "quarter", "2026-01-01"),
    ]
    assert validation.failed_expectations == [
        "unexpected_rows_expectation [attainment between -1 and 20 (a rep's partial month at its"
        " full-month pace)]: observed 4"
    ]
