"""`make bench SCALE=S|L|XL` (`python -m bench --scale S`): build the demo company at that scale
in the benchmark's own warehouse and measure every step, each figure the median of `--runs` runs.

Steps, in order (the last one changes the demo, so it runs last):
ingest (COPY limit, our orders path, the CRM over HTTP), the end-to-end pipeline on an empty
warehouse, dbt full build, checks, the app's page queries, then after a 1% change the nightly
pipeline and dbt's build. XL is ten L companies side by side (`ingestion.demo.shards`), every
source included; S2 is two S companies, to try the sharded demo quickly.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import psutil

from bench.environment import SCALES, BenchEnvironment, say

# Days the demo clock moves for the incremental build: about 1% of the order lines (7 days
# changed 1.9% at S).
INCREMENT_DAYS = 4
CRM_PAGE_SIZE = 100
STEPS = ("ingest", "crm", "pipeline", "transform", "app", "incremental")
# `--engine spark`: the PostgreSQL pipeline (the marts Spark's are checked against, the app's
# warehouse), then the Spark path (`bench.spark`), then the Spark path after the 1% change
SPARK_STEPS = ("pipeline", "spark", "incremental")


class Recorder:
    """Collects each run's figures; the results are their medians, with the load average."""

    def __init__(
        self, scale: str, runs: int, earlier: dict[str, Any], engine: str = "postgres"
    ) -> None:
        self.runs = runs
        self.each: dict[str, list[float]] = {}
        # the machine's load average (1, 5, 15 minutes, as `uptime` shows) after each run
        self.loads: dict[str, list[str]] = {}
        self.after_step: Callable[[], object] = lambda: None
        self.results: dict[str, Any] = {
            **earlier,
            "scale": scale,
            "engine": engine,
            "demo_scale": SCALES[scale],
            "runs": runs,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine_cores": os.cpu_count(),
            "machine_memory_gib": psutil.virtual_memory().total / 2**30,
            "machine_platform": platform.platform(),
            "load_avg_start": os.getloadavg()[0],
        }

    def repeat(self, step: str, once: Callable[[int], dict[str, float]]) -> None:
        """Run `once` `runs` times; record the median of every figure it returns."""
        for number in range(self.runs):
            figures = once(number)
            uptime = "/".join(f"{load:.1f}" for load in os.getloadavg())
            say(
                f"{step} run {number + 1}/{self.runs}: "
                + ", ".join(f"{k}={v:,.3f}" for k, v in figures.items())
                + f" (load {uptime})"
            )
            for key, value in figures.items():
                self.each.setdefault(key, []).append(value)
                self.loads.setdefault(key, []).append(uptime)
        load = os.getloadavg()[0]
        for key in figures:
            self.results[key] = statistics.median(self.each[key])
            self.results[f"load_avg_{key}"] = load
            self.results[f"runs_{key}"] = self.runs
            self.results[f"uptime_{key}"] = self.loads[key]
            self.results[f"measured_at_{key}"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.after_step()


def measure_ingest(env: BenchEnvironment, rec: Recorder) -> None:
    from bench import ingest

    rec.results["source_rows"] = ingest.source_row_count(env)

    def copy_then_ours(_: int) -> dict[str, float]:
        """One COPY and one dlt load back to back, so both see the same load on the machine."""
        copied, copy_s = ingest.copy_once(env)
        rows, seconds, rerun_s = ingest.dlt_orders_once(env)
        if rows != copied:
            raise RuntimeError(f"dlt loaded {rows} rows, COPY moved {copied}")
        return {
            "copy_rows_per_s": copied / copy_s,
            "copy_s": copy_s,
            "ingest_orders_rows_per_s": rows / seconds,
            "ingest_orders_s": seconds,
            "ingest_orders_rerun_s": rerun_s,
        }

    rec.repeat("copy and ingest", copy_then_ours)
    rec.results["ingest_share_of_copy"] = (
        rec.results["ingest_orders_rows_per_s"] / rec.results["copy_rows_per_s"]
    )


def measure_crm(env: BenchEnvironment, rec: Recorder, crm: tuple[str, str]) -> None:
    from bench import ingest

    def crm_http(_: int) -> dict[str, float]:
        run = ingest.crm_once(env, *crm, page_size=CRM_PAGE_SIZE)
        return {
            "crm_records": run["records"],
            "crm_records_per_s": run["records"] / run["seconds"],
            "crm_wait_share": run["waiting_s"] / run["seconds"],
            "crm_s": run["seconds"],
        }

    rec.repeat("crm", crm_http)
    rec.results["crm_page_size"] = CRM_PAGE_SIZE


def measure_pipeline(env: BenchEnvironment, rec: Recorder) -> None:
    def pipeline(number: int) -> dict[str, float]:
        env.reset_warehouse()
        run = env.run_pipeline(f"pipeline-{number + 1}.log")
        return {"pipeline_wall_s": run.wall_s, "pipeline_peak_rss_mib": run.peak_rss_mib}

    rec.repeat("pipeline", pipeline)


def measure_transform(env: BenchEnvironment, rec: Recorder) -> None:
    from bench import transform

    # Parsed once for this warehouse's connection first, as a deployment does (the port of the
    # benchmark's server changes each time it starts): the start-up then reuses the parse.
    transform.parse_once(env)
    rec.repeat("dbt startup", lambda _: {"dbt_startup_s": transform.dbt_startup_once(env)})
    rec.repeat("dbt full", lambda _: {"dbt_full_s": transform.dbt_full_once(env)})
    rec.repeat("checks", lambda _: transform.checks_once(env))


def measure_incremental(env: BenchEnvironment, rec: Recorder, crm: tuple[str, str]) -> None:
    from bench import ingest, transform

    def nightly(number: int) -> dict[str, float]:
        """The nightly `make pipeline` after a day's worth of changes (about 1% of the rows)."""
        before = ingest.order_line_stamp(env)
        env.advance_demo(INCREMENT_DAYS)
        changed = ingest.changed_order_lines(env, before)
        run = env.run_pipeline(f"pipeline-nightly-{number + 1}.log")
        return {
            "pipeline_nightly_s": run.wall_s,
            "pipeline_nightly_peak_rss_mib": run.peak_rss_mib,
            "nightly_change_share": changed / before[0],
        }

    def incremental(_: int) -> dict[str, float]:
        before = ingest.order_line_stamp(env)
        env.advance_demo(INCREMENT_DAYS)
        changed = ingest.changed_order_lines(env, before)
        transform.load_changes(env, crm)
        return {
            "dbt_incremental_s": transform.dbt_incremental_once(env),
            "dbt_incremental_elapsed_s": transform.last_run_elapsed_s(env),
            "incremental_change_share": changed / before[0],
        }

    rec.repeat("nightly pipeline", nightly)
    rec.repeat("dbt incremental", incremental)


def measure_app(env: BenchEnvironment, rec: Recorder) -> None:
    from bench import app_queries

    queries = app_queries.record_page_queries()
    rec.results["app_queries"] = len(queries)
    rec.repeat("app", lambda _: app_queries.replay_once(env, queries))
    for page, total in app_queries.page_totals_ms(queries).items():
        rec.results[f"app_page_ms_{page.removeprefix('app_pages/').removesuffix('.py')}"] = total


def measure_spark(env: BenchEnvironment, rec: Recorder) -> None:
    """Each step of the move to Spark its own figure, saved as soon as it is measured: the raw
    layer as Parquet from nothing, its registration, the build, the publish; then the marts
    checked against PostgreSQL's (taken before the publish overwrites them)."""
    from bench import spark

    rec.results["spark_settings"] = spark.settings()
    postgres = spark.mart_totals(env.url)

    def raw(number: int) -> dict[str, float]:
        spark.reset(env)
        run = spark.load_raw(env, f"raw-{number + 1}.log")
        return {
            "spark_raw_load_s": run.wall_s,
            "spark_raw_load_peak_rss_mib": run.peak_rss_mib,
            "spark_raw_mib": spark.raw_files_mib(env),
        }

    def build(number: int) -> dict[str, float]:
        # the first run builds from nothing; a later one rebuilds every table (--full-refresh)
        built, figures = spark.build(env, f"build-{number + 1}.log", "--full-refresh")
        spark.say_breakdown("spark build", figures)
        rec.results["spark_build_breakdown"] = figures
        return {
            "spark_build_s": built.wall_s,
            "spark_build_elapsed_s": figures["elapsed_s"],
            "spark_build_startup_s": built.wall_s - figures["elapsed_s"],
            "spark_build_peak_rss_mib": built.peak_rss_mib,
            "spark_build_order_lines_per_s": rec.results["order_lines"] / built.wall_s,
            "spark_build_failed": len(figures["failed"]),
            "spark_median_view_s": figures["median_view_s"],
            **{f"spark_layer_s_{k}": v for k, v in figures["layers_s"].items()},
        }

    def publish(_: int) -> dict[str, float]:
        run = spark.publish(env)
        return {"spark_publish_s": run.wall_s, "spark_publish_peak_rss_mib": run.peak_rss_mib}

    rec.repeat("spark raw load", raw)
    rec.repeat("spark register", lambda _: {"spark_register_s": spark.register(env).wall_s})
    rec.repeat("spark build", build)
    rec.repeat("spark publish", publish)
    differences = spark.compare(postgres, spark.mart_totals(env.url))
    rec.results["spark_mart_totals_postgres"] = postgres
    rec.results["spark_mart_differences"] = differences
    say(f"marts compared: {len(postgres)}, differences: {len(differences)}")
    for line in differences:
        say(f"  {line}")
    rec.after_step()


def measure_spark_incremental(env: BenchEnvironment, rec: Recorder) -> None:
    from bench import ingest, spark

    def incremental(number: int) -> dict[str, float]:
        before = ingest.order_line_stamp(env)
        env.advance_demo(INCREMENT_DAYS)
        changed = ingest.changed_order_lines(env, before)
        raw = spark.load_raw(env, f"raw-incremental-{number + 1}.log")
        built, figures = spark.build(env, f"build-incremental-{number + 1}.log")
        spark.say_breakdown("spark build after the change", figures)
        rec.results["spark_incremental_breakdown"] = figures
        return {
            "spark_incremental_raw_load_s": raw.wall_s,
            "spark_incremental_build_s": built.wall_s,
            "spark_incremental_elapsed_s": figures["elapsed_s"],
            "spark_incremental_failed": len(figures["failed"]),
            "incremental_change_share": changed / before[0],
        }

    rec.repeat("spark after the change", incremental)
    rec.results["spark_incremental_share"] = (
        rec.results["spark_incremental_build_s"] / rec.results["spark_build_s"]
    )


def save(rec: Recorder, complete: bool, final: bool) -> dict[str, bool | None]:
    """Write the results so far (after every step, so a run stopped half way keeps its figures);
    return which goals are met."""
    from bench import report

    results = rec.results
    if "dbt_incremental_s" in results and "dbt_full_s" in results:
        results["dbt_incremental_share"] = results["dbt_incremental_s"] / results["dbt_full_s"]
    met = report.goals_met(results)
    results.update({f"goal_{name}": ok for name, ok in met.items()})
    results["goals_met"] = all(met.values())  # a goal not measured is not met
    results["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) if final else None
    for path in report.write(results, rec.each, rec.loads, complete=complete and final):
        if final:
            say(f"wrote {path}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", choices=sorted(SCALES), default="S")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--steps",
        help=f"comma-separated subset of {','.join(STEPS)} (the others are not measured)"
        "; default: every step",
    )
    parser.add_argument(
        "--engine",
        choices=("postgres", "spark"),
        default="postgres",
        help="spark: the demo's raw layer as Parquet and dbt on a local SparkSession"
        " (needs Java and the spark extra; bench/README.md)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the bench warehouse running")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="go on with the demo and warehouse a `--keep` run left (no rebuild of the demo, no"
        " pipeline unless asked): the steps' figures are added to the scale's latest results",
    )
    args = parser.parse_args(argv)
    possible = list(SPARK_STEPS if args.engine == "spark" else STEPS)
    steps = [step for step in (args.steps or ",".join(possible)).split(",") if step]
    unknown = set(steps) - set(possible)
    if args.reuse and args.engine != "postgres":
        parser.error("--reuse goes on with the PostgreSQL path only")
    if unknown:
        parser.error(
            f"scale {args.scale} cannot measure: {', '.join(sorted(unknown))} "
            f"(it has {', '.join(possible)}; see bench/README.md)"
        )
    env = BenchEnvironment(args.scale)
    from bench import report

    # a run of some steps keeps the other steps' figures from the scale's previous results
    complete = steps == possible
    earlier = {} if complete else report.previous(report.label(args.scale, args.engine))
    rec = Recorder(args.scale, args.runs, earlier, args.engine)
    rec.after_step = lambda: save(rec, complete=complete, final=False)
    # whether this invocation went on with a kept warehouse (the figures it measured are marked by
    # their `measured_at_*` times)
    rec.results["reused_warehouse"] = args.reuse
    env.start()
    try:
        if args.reuse:
            reuse_kept(env, steps)
        else:
            build_demo(env, rec)
            save(rec, complete=complete, final=False)
        if args.engine == "spark":
            run_spark_steps(env, rec, steps)
        else:
            run_postgres_steps(env, rec, steps, rebuilt=not args.reuse)
    finally:
        if args.keep:
            env.stop_crm()
        else:
            env.stop()
    return finish(rec, complete)


def build_demo(env: BenchEnvironment, rec: Recorder) -> None:
    generated = env.build_demo()
    rec.results["demo_build_s"] = generated.wall_s
    rec.results["demo_build_peak_rss_mib"] = generated.peak_rss_mib
    say(f"demo built in {generated.wall_s:.0f}s, peak RSS {generated.peak_rss_mib:,.0f} MiB")
    from bench.ingest import order_line_stamp

    rec.results["order_lines"] = order_line_stamp(env)[0]


def reuse_kept(env: BenchEnvironment, steps: list[str]) -> None:
    """`--reuse`: the demo and warehouse a `--keep` run left, as they are. At XL a rebuild and a
    pipeline from empty cost over an hour before the later steps can start."""
    if not (env.state_dir / "demo").is_dir():
        raise SystemExit(f"--reuse: no demo in {env.state_dir}; run once with --keep first")
    if "pipeline" not in steps and not env.has_marts():
        raise SystemExit(
            "--reuse: the kept warehouse has no marts; add the pipeline step or run once with"
            " --steps pipeline --keep first"
        )
    say(f"going on with the kept demo and warehouse in {env.home}")


def run_postgres_steps(
    env: BenchEnvironment, rec: Recorder, steps: list[str], rebuilt: bool = True
) -> None:
    """The PostgreSQL path's steps, in order (the last one changes the demo)."""
    # When the demo was just rebuilt from its seed, a warehouse loaded before holds rows (and
    # incremental cursors) of a demo clock moved on since, so the 1% change must start from a
    # fresh load of this demo. With `--reuse` the kept warehouse holds the kept demo's loads.
    needs_marts = ("incremental" in steps and rebuilt) or (
        bool({"transform", "app", "incremental"} & set(steps)) and not env.has_marts()
    )
    needs_crm = bool({"crm", "pipeline", "incremental"} & set(steps))
    crm = env.start_crm() if needs_crm or needs_marts else ("", "")
    rec.results["steps"] = ",".join(steps)
    if "ingest" in steps:
        measure_ingest(env, rec)
    if "crm" in steps:
        measure_crm(env, rec, crm)
    if "pipeline" in steps or needs_marts:
        measure_pipeline(env, rec)
    if "transform" in steps:
        measure_transform(env, rec)
    if "app" in steps:
        measure_app(env, rec)
    if "incremental" in steps:
        measure_incremental(env, rec, crm)


def run_spark_steps(env: BenchEnvironment, rec: Recorder, steps: list[str]) -> None:
    """The PostgreSQL pipeline always runs first: Spark's marts are checked against its marts,
    and `publish-spark` writes into its warehouse; the change needs a Spark build before it."""
    env.start_crm()
    rec.results["steps"] = ",".join(steps)
    measure_pipeline(env, rec)
    if {"spark", "incremental"} & set(steps):
        measure_spark(env, rec)
    if "incremental" in steps:
        measure_spark_incremental(env, rec)


def finish(rec: Recorder, complete: bool) -> int:
    met = save(rec, complete=complete, final=True)
    missed = [name for name, ok in met.items() if ok is False]
    unmeasured = [name for name, ok in met.items() if ok is None]
    if unmeasured:
        say(f"goals not measured: {', '.join(unmeasured)}")
    say("every measured goal met" if not missed else f"goals missed: {', '.join(missed)}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
