"""Two warehouses on one PostgreSQL server share its roles (macros/access/roles_retried.sql).

The access hooks' advisory lock holds within one database, so a build of another database on the
same server can be changing the same role at that moment. PostgreSQL then makes the later build
wait for the other transaction and refuses its change ("tuple concurrently updated"): CI's two
suites, each building its own database on one server, failed so. The hooks run their role
statements again once the other change is committed."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlparse

import psycopg2

SOURCE = "raw_finance.regions"
MODEL = "stg_finance__regions"
VIEW = "staging.stg_finance__regions"


def _sql(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else []


def test_a_build_waits_out_another_databases_change_to_the_same_role(
    scratch_database, warehouse_url, run_dbt
) -> None:
    url = scratch_database
    database = urlparse(url).path.lstrip("/")
    _sql(
        url, f"create schema raw_finance; create table {SOURCE} (region_id text, region_name text)"
    )
    _sql(
        warehouse_url,
        "do $$ begin if not exists (select from pg_roles where rolname = 'spw_loader')"
        " then create role spw_loader nologin; end if; end $$",
    )

    # Another database's build, mid-transaction, has just changed the loader role.
    other_build = psycopg2.connect(warehouse_url)
    other_build.cursor().execute("alter role spw_loader bypassrls")
    seen_waiting: list[bool] = []
    build_ended = threading.Event()

    def commit_once_the_build_waits() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not seen_waiting and not build_ended.is_set():
            waiting = _sql(
                warehouse_url,
                "select count(*) from pg_stat_activity"
                " where datname = %s and wait_event_type = 'Lock'",
                (database,),
            )[0][0]
            if waiting:
                seen_waiting.append(True)
            else:
                time.sleep(0.2)
        time.sleep(0.5)  # the build is blocked on the role's row until this commits
        other_build.commit()

    watcher = threading.Thread(target=commit_once_the_build_waits)
    watcher.start()
    try:
        run_dbt(url, "run", "--select", MODEL)  # raises if a hook failed
    finally:
        build_ended.set()  # a build that failed before it waited: stop watching, commit
        watcher.join()
        other_build.close()

    assert seen_waiting, "the build never met the other database's change to the role"
    assert _sql(url, "select rolbypassrls from pg_roles where rolname = 'spw_loader'") == [(True,)]
    assert _sql(url, f"select count(*) from {VIEW}") == [(0,)]
