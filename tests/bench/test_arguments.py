"""`python -m bench`: `--engine spark`, `--reuse` and the disk check; result files and mart check,
without Spark (the Spark path itself runs with `make bench ENGINE=spark SCALE=S RUNS=1`,
bench/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import __main__ as bench_main
from bench import environment, report, spark
from bench.environment import BenchEnvironment


def test_spark_engine_refuses_the_postgres_only_steps(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stopped:
        bench_main.main(["--engine", "spark", "--steps", "ingest,spark"])
    assert stopped.value.code == 2
    assert "cannot measure: ingest (it has pipeline, spark, incremental" in capsys.readouterr().err


def test_spark_results_are_named_by_engine_and_leave_postgres_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    results = {
        "scale": "L",
        "engine": "spark",
        "started_at": "2026-12-03T04:00:00Z",
        "runs": 1,
        "machine_cores": 2,
        "machine_memory_gib": 23.5,
        "machine_platform": "Linux",
        "spark_build_s": 900.0,
        "spark_settings": {"DBT_THREADS": "2"},
        "spark_mart_totals_postgres": {"fct_payouts": {"rows": "3"}},
        "spark_mart_differences": [],
        **{f"goal_{name}": None for name in report.GOALS},
    }
    written = {path.name for path in report.write(results, {"spark_build_s": [900.0]})}
    assert "latest-L-spark.json" in written
    assert "latest.json" not in written and "latest-L.json" not in written
    assert json.loads((tmp_path / "latest-L-spark.json").read_text())["engine"] == "spark"
    table = next(tmp_path.glob("*-L-spark.md")).read_text()
    assert "scale L on Spark" in table
    assert "| `spark_build_s` | 900.0 | s | 900.0 |" in table
    assert "1 marts, 0 differences" in table
    assert report.label("L") == "L" and report.label("L", "spark") == "L-spark"


def test_mart_check_compares_decimals_by_value_and_names_each_difference() -> None:
    postgres = {
        "fct_payouts": {"rows": "3", "payout_amount": "100.50"},
        "fct_commission_lines": {"rows": "7", "commission_amount": "12.00"},
        "dim_reps": {"rows": "2"},
    }
    spark_side = {
        "fct_payouts": {"rows": "3", "payout_amount": "100.5000"},  # 100.50 = 100.5000
        "fct_commission_lines": {"rows": "7", "commission_amount": "11.99"},  # a cent off
    }
    assert spark.compare(postgres, spark_side) == [
        "fct_commission_lines.commission_amount: PostgreSQL 12.00, Spark 11.99",
        "dim_reps.rows: PostgreSQL 2, Spark None",
    ]


def test_breakdown_sums_node_time_per_layer(tmp_path: Path) -> None:
    manifest = {
        "nodes": {
            "model.p.stg_a": {
                "resource_type": "model",
                "fqn": ["p", "staging", "orders", "stg_a"],
                "config": {"materialized": "view"},
            },
            "model.p.fct_b": {
                "resource_type": "model",
                "fqn": ["p", "marts", "fct_b"],
                "config": {"materialized": "table"},
            },
            "test.p.not_null_b": {"resource_type": "test", "fqn": ["p", "marts", "nn"]},
        },
        "operations": {},
    }
    results = {
        "elapsed_time": 20.0,
        "results": [
            {"unique_id": "model.p.stg_a", "execution_time": 1.5, "status": "success"},
            {"unique_id": "model.p.fct_b", "execution_time": 12.0, "status": "success"},
            {"unique_id": "test.p.not_null_b", "execution_time": 2.0, "status": "fail"},
            {
                "unique_id": "operation.p.p-on-run-start-0",
                "execution_time": 0.5,
                "status": "success",
            },
        ],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "run_results.json").write_text(json.dumps(results))
    figures = spark.breakdown(tmp_path)
    assert figures["layers_s"] == {
        "staging": 1.5,
        "marts": 12.0,
        "data tests": 2.0,
        "hooks": 0.5,
    }
    assert figures["top_nodes"][0] == "model.p.fct_b 12.0s"
    assert figures["median_view_s"] == 1.5
    assert figures["failed"] == ["test.p.not_null_b: fail"]


def test_reuse_is_postgres_only(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stopped:
        bench_main.main(["--engine", "spark", "--reuse", "--steps", "incremental"])
    assert stopped.value.code == 2
    assert "--reuse goes on with the PostgreSQL path only" in capsys.readouterr().err


def test_reuse_without_a_kept_demo_names_the_fix(tmp_path: Path) -> None:
    env = BenchEnvironment("S", home=tmp_path)
    with pytest.raises(SystemExit, match="no demo in .*; run once with --keep first"):
        bench_main.reuse_kept(env, ["incremental"])


def test_a_disk_too_small_for_the_scale_stops_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = BenchEnvironment("XL", home=tmp_path / "XL")
    (tmp_path / "XL").mkdir()
    (tmp_path / "XL" / "kept.bin").write_bytes(b"x" * 4096)  # what a kept run holds counts
    monkeypatch.setattr(environment, "DISK_NEEDED_GIB", {"XL": 10**6})
    with pytest.raises(SystemExit, match=r"scale XL needs about 1000000 GiB of disk under .*XL;"):
        env.check_disk()
    monkeypatch.setattr(environment, "DISK_NEEDED_GIB", {"XL": 0})
    env.check_disk()  # room enough: no error
