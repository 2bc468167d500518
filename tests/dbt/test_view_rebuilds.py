"""Rebuilding a view model keeps the views built on it (macros/materializations/view.sql).

dbt's stock view materialization drops the old view with `cascade`, which also drops every view
on top of it; two threads doing that to siblings with a shared dependent deadlock. The project's
materialization replaces views in place, and only drops dependents when the view's columns change
in a way PostgreSQL cannot replace in place.
"""

from __future__ import annotations

import psycopg2

MODEL = "intermediate.int_calendar_days"
DEPENDENT = "public.calendar_probe"


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
    build = ("run", "--select", "int_calendar_days", "--threads", "4")
    run_dbt(url, *build)
    _sql(url, f"create view {DEPENDENT} as select date_day from {MODEL}")
    (model_oid,) = _sql(url, f"select '{MODEL}'::regclass::oid")[0]

    run_dbt(url, *build)
    assert _exists(url, DEPENDENT), "an unchanged rebuild must not drop the views built on it"
    assert _sql(url, f"select '{MODEL}'::regclass::oid")[0][0] == model_oid
    calendar = f"select count(*), min(date_day)::text, max(date_day)::text from {DEPENDENT}"
    # 21 years of 365 days and the leap days of 2016, 2020, 2024, 2028 and 2032
    assert _sql(url, calendar) == [(21 * 365 + 5, "2015-01-01", "2035-12-31")]

    # A column the model no longer has: PostgreSQL refuses `create or replace`, so the view is
    # dropped with its dependents and created again with the model's columns.
    _sql(url, f"alter view {MODEL} rename column date_day to stale_day")
    run_dbt(url, *build)
    assert _columns(url, MODEL) == ["date_day"]
    assert not _exists(url, DEPENDENT)
