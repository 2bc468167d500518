"""PostgreSQL advisory locks that keep two pipeline runs from writing the same tables at once.

Dagster's pools limit concurrent steps only among runs that share one Dagster instance and honour
its concurrency settings; the warehouse may be written by runs of different instances (`make
pipeline` on a laptop, the daemon on a server) and a killed process can leave a pool slot claimed.
An advisory lock lives in the warehouse itself and dies with the session that holds it, so a
`kill -9` frees it at once.

- `pipeline` (taken by `make pipeline` around the whole job): a second run waits for the first,
  up to `PIPELINE_LOCK_WAIT_SECONDS` (default 1800), then gives up with a message naming the
  holder.
- `raw_<source>` (taken by every dlt load step) and `dbt_build` (taken by the dbt step): the same
  guarantee at step level for runs launched any other way, so loads of one source never
  interleave and two dbt builds never replace the same tables together.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg2

# First key of every lock this project takes (an arbitrary constant; the second key is hashtext of
# the lock's name), so they are easy to find in pg_locks: classid = 5127, objsubid = 2.
LOCK_NAMESPACE = 5127
WAIT_ENV = "PIPELINE_LOCK_WAIT_SECONDS"
DEFAULT_WAIT_SECONDS = 1800.0
POLL_SECONDS = 1.0


class LockTimeout(RuntimeError):
    """Another run held the lock for longer than this one was willing to wait."""


def lock_wait_seconds() -> float:
    """How long a run waits for a lock another run holds (`PIPELINE_LOCK_WAIT_SECONDS`)."""
    return float(os.environ.get(WAIT_ENV, DEFAULT_WAIT_SECONDS))


def _holder(cur: psycopg2.extensions.cursor, name: str) -> str:
    cur.execute(
        "select a.pid, a.application_name, a.backend_start"
        " from pg_locks as l join pg_stat_activity as a on a.pid = l.pid"
        " where l.locktype = 'advisory' and l.granted"
        " and l.classid = %s and l.objid = hashtext(%s)::oid and l.objsubid = 2",
        (LOCK_NAMESPACE, name),
    )
    row = cur.fetchone()
    if row is None:
        return "a session that has just ended"
    pid, application, since = row
    return (
        f"server process {pid} ({application or 'no application name'}, connected {since:%F %T%z})"
    )


@contextmanager
def advisory_lock(
    url: str,
    name: str,
    *,
    wait_seconds: float | None = None,
    log: Callable[[str], None] = print,
) -> Iterator[None]:
    """Hold the warehouse-wide lock `name` for the block, waiting for another holder up to
    `wait_seconds` (default `lock_wait_seconds()`), then raising `LockTimeout`."""
    wait = lock_wait_seconds() if wait_seconds is None else wait_seconds
    conn = psycopg2.connect(url, application_name=f"spw lock {name} pid {os.getpid()}")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            started = time.monotonic()
            announced = False
            while True:
                cur.execute("select pg_try_advisory_lock(%s, hashtext(%s))", (LOCK_NAMESPACE, name))
                if cur.fetchone()[0]:
                    break
                holder = _holder(cur, name)
                waited = time.monotonic() - started
                if waited >= wait:
                    raise LockTimeout(
                        f"the warehouse lock '{name}' is held by {holder}: another pipeline run is"
                        f" writing the same tables. Gave up after {waited:.0f}s"
                        f" ({WAIT_ENV}={wait:g}); re-run when that run has finished."
                    )
                if not announced:
                    log(f"waiting for the warehouse lock '{name}', held by {holder}")
                    announced = True
                time.sleep(POLL_SECONDS)
            if announced:
                log(f"got the warehouse lock '{name}' after {time.monotonic() - started:.0f}s")
        yield
    finally:
        conn.close()  # ending the session releases the lock
