"""Rebuilding a view model keeps the views built on it (macros/materializations/view.sql).

dbt's stock view materialization drops the old view with `cascade`, which also drops every view
on top of it; two threads doing that to siblings with a shared dependent deadlock. The project's
materialization replaces views in place, and only drops dependents when the view's columns change
in a way PostgreSQL cannot replace in place.
"""

from __future__ import annotations

import psycopg2

MODEL = "staging.stg_finance__regions"
DEPENDENT = "public.regions_probe"
SOURCE = "raw_finance.regions"


def _sql(url: str, statement: str) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(statement)
        return cur.fetchall() if cur.description else []


def _columns(url: str, relation: str) -> list[str]:
    rows = _sql(
        url,
        f"select attname from pg_attribute where attrelid = '{relation}'::regclass"
        " and attnum > 0 and not attisdropped order by attnum",
    )
    return [name for (name,) in rows]


def _exists(url: str, relation: str) -> bool:
    return _sql(url, f"select to_regclass('{relation}') is not null")[0][0]


def test_rebuilt_view_keeps_its_dependents_until_its_shape_changes(scratch_database, run_dbt):
    url = scratch_database
    _sql(
        url, f"create schema raw_finance; create table {SOURCE} (region_id text, region_name text)"
    )
    _sql(url, f"insert into {SOURCE} values ('east', 'East'), ('west', 'West')")
    build = ("run", "--select", "stg_finance__regions", "--threads", "4")
    run_dbt(url, *build)
    _sql(url, f"create view {DEPENDENT} as select region_id from {MODEL}")
    (model_oid,) = _sql(url, f"select '{MODEL}'::regclass::oid")[0]

    run_dbt(url, *build)
    assert _exists(url, DEPENDENT), "an unchanged rebuild must not drop the views built on it"
    assert _sql(url, f"select '{MODEL}'::regclass::oid")[0][0] == model_oid
    assert _sql(url, f"select region_id from {DEPENDENT} order by 1") == [("east",), ("west",)]

    # A column the model no longer has: PostgreSQL refuses `create or replace`, so the view is
    # dropped with its dependents and created again with the model's columns.
    _sql(url, f"alter view {MODEL} rename column region_id to stale_id")
    run_dbt(url, *build)
    assert _columns(url, MODEL) == ["region_id", "region_name"]
    assert not _exists(url, DEPENDENT)
