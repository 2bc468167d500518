"""Write-audit-publish replaces only the periods whose audited rows changed, on real PostgreSQL.

Each step changes the audited table the way a build can (a row rewritten, a row deleted, a period
emptied, a new period, the table rebuilt) and then compares the published table with it row for
row. That the unchanged periods were left alone is read from their rows' transaction ids
(`xmin`): a rewritten row gets a new one.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from orchestration.defs.quality.publish import publish_tables

TABLE = "publish_periods_test"
AUDITED = f"marts_audit.{TABLE}"
PUBLISHED = f"marts.{TABLE}"
ROWS = "select period_start::text, rep_id, amount from {} order by 1, 2, 3"


@pytest.fixture
def audited(query, warehouse_url: str) -> Iterator[str]:
    query(
        "create schema if not exists marts_audit;"
        f" drop table if exists {AUDITED}; drop table if exists {PUBLISHED}"
    )
    if query("select to_regclass('app_meta.published_periods') is not null") == [(True,)]:
        query("delete from app_meta.published_periods where table_name = %s", (TABLE,))
    query(
        f"create table {AUDITED} (period_start date not null, rep_id text not null,"
        " amount numeric(18, 2) not null);"
        f" insert into {AUDITED} values"
        " ('2026-01-01', 'R1', 100.00), ('2026-01-01', 'R2', 200.00),"
        " ('2026-02-01', 'R1', 110.00), ('2026-02-01', 'R2', 210.00),"
        " ('2026-03-01', 'R1', 120.00), ('2026-03-01', 'R2', 220.00)"
    )
    yield warehouse_url
    query(f"drop table if exists {AUDITED}; drop table if exists {PUBLISHED}")


def _row_versions(query) -> dict[str, set[str]]:
    """The published rows' transaction ids by period."""
    versions: dict[str, set[str]] = {}
    for period, xmin in query(f"select period_start::text, xmin::text from {PUBLISHED}"):
        versions.setdefault(period, set()).add(xmin)
    return versions


def _assert_published_is_audited(query) -> None:
    assert query(ROWS.format(PUBLISHED)) == query(ROWS.format(AUDITED))


def test_only_the_changed_periods_are_replaced(audited: str, query) -> None:
    # The first publish copies the table whole: 6 rows.
    assert publish_tables(audited, [TABLE]) == {TABLE: 6}
    _assert_published_is_audited(query)
    before = _row_versions(query)

    # Nothing changed: nothing written, nothing rewritten.
    assert publish_tables(audited, [TABLE]) == {TABLE: 0}
    assert _row_versions(query) == before

    # A row of February rewritten (a build's delete+insert of the month does the same):
    # February's 2 rows are replaced, January's and March's rows are the same row versions.
    query(f"update {AUDITED} set amount = 115.00 where amount = 110.00")  # February, R1
    assert publish_tables(audited, [TABLE]) == {TABLE: 2}
    _assert_published_is_audited(query)
    after = _row_versions(query)
    assert after["2026-01-01"] == before["2026-01-01"]
    assert after["2026-03-01"] == before["2026-03-01"]
    assert after["2026-02-01"].isdisjoint(before["2026-02-01"])
    february = f"select amount from {PUBLISHED} where period_start = '2026-02-01' order by 1"
    assert query(february) == [(Decimal("115.00"),), (Decimal("210.00"),)]

    # A row deleted and nothing written: March has one row fewer than published, so it is
    # replaced by its one remaining row.
    query(f"delete from {AUDITED} where period_start = '2026-03-01' and rep_id = 'R2'")
    assert publish_tables(audited, [TABLE]) == {TABLE: 1}
    _assert_published_is_audited(query)

    # A month emptied and a new one built: January leaves the published table, April arrives.
    query(
        f"delete from {AUDITED} where period_start = '2026-01-01';"
        f" insert into {AUDITED} values ('2026-04-01', 'R1', 130.00)"
    )
    assert publish_tables(audited, [TABLE]) == {TABLE: 1}
    _assert_published_is_audited(query)
    assert query(f"select distinct period_start::text from {PUBLISHED} order by 1") == [
        ("2026-02-01",),
        ("2026-03-01",),
        ("2026-04-01",),
    ]


def test_a_rebuilt_table_is_copied_whole(audited: str, query) -> None:
    assert publish_tables(audited, [TABLE]) == {TABLE: 6}
    # dbt's table materialization builds a new table and swaps it in: every row is new
    query(
        f"create table {AUDITED}_new as select * from {AUDITED};"
        f" drop table {AUDITED}; alter table {AUDITED}_new rename to {TABLE}"
    )
    assert publish_tables(audited, [TABLE]) == {TABLE: 6}
    _assert_published_is_audited(query)


def test_without_a_record_of_the_last_publish_the_table_is_copied_whole(
    audited: str, query
) -> None:
    # Published before the periods were recorded, or the record lost: the whole table.
    assert publish_tables(audited, [TABLE]) == {TABLE: 6}
    query("delete from app_meta.published_periods where table_name = %s", (TABLE,))
    query(f"update {AUDITED} set amount = amount + 1 where period_start = '2026-01-01'")
    assert publish_tables(audited, [TABLE]) == {TABLE: 6}
    _assert_published_is_audited(query)


def test_one_partition_republished_alone_keeps_the_others_compared(audited: str, query) -> None:
    assert publish_tables(audited, [TABLE]) == {TABLE: 6}
    query(f"update {AUDITED} set amount = amount + 1")
    # a monthly partition's publish replaces its month only ...
    assert publish_tables(audited, [TABLE], where=("period_start", "2026-01-01")) == {TABLE: 2}
    assert query(f"select sum(amount) from {PUBLISHED}") == [(Decimal("962.00"),)]
    # ... and the next whole publish still finds the other two months changed
    assert publish_tables(audited, [TABLE]) == {TABLE: 6}
    _assert_published_is_audited(query)


def test_a_long_transaction_elsewhere_changes_nothing(audited: str, query, warehouse_url) -> None:
    import psycopg2

    # A session holding a transaction open (a report, an idle client) while builds and
    # publishes go on: the unchanged months are still left alone.
    assert publish_tables(audited, [TABLE]) == {TABLE: 6}
    idle = psycopg2.connect(warehouse_url)
    try:
        with idle.cursor() as cur:
            cur.execute("select pg_current_xact_id()")  # holds the oldest running transaction
        query(f"update {AUDITED} set amount = amount + 1 where period_start = '2026-03-01'")
        assert publish_tables(audited, [TABLE]) == {TABLE: 2}
        query(f"update {AUDITED} set amount = amount + 1 where period_start = '2026-01-01'")
        assert publish_tables(audited, [TABLE]) == {TABLE: 2}
        _assert_published_is_audited(query)
    finally:
        idle.close()


def test_a_build_older_than_the_publish_is_published_next_time(audited: str, query) -> None:
    import psycopg2

    # A build's transaction began before a publish (its transaction id is older) and writes
    # the audited table only after that publish: the next publish still finds its month.
    build = psycopg2.connect(audited)
    try:
        with build.cursor() as cur:
            cur.execute("select pg_current_xact_id()")
            assert publish_tables(audited, [TABLE]) == {TABLE: 6}
            cur.execute(
                f"update {AUDITED} set amount = amount + 5 where period_start = '2026-02-01'"
            )
        build.commit()
    finally:
        build.close()
    assert publish_tables(audited, [TABLE]) == {TABLE: 2}
    _assert_published_is_audited(query)


def test_two_publishes_at_once_write_each_month_once(audited: str, query) -> None:
    import threading

    import psycopg2

    # Two publishes at the same moment (the nightly run's and a month close's): the second
    # waits for the first, then finds nothing left to write; no month is written twice.
    assert publish_tables(audited, [TABLE]) == {TABLE: 6}
    query(f"update {AUDITED} set amount = amount + 1 where period_start = '2026-02-01'")
    written: list[dict[str, int]] = []
    hold = psycopg2.connect(audited)
    try:
        with hold.cursor() as cur:
            cur.execute(f"lock table {PUBLISHED} in share row exclusive mode")  # both wait here
            publishes = [
                threading.Thread(target=lambda: written.append(publish_tables(audited, [TABLE])))
                for _ in range(2)
            ]
            for publish in publishes:
                publish.start()
            publishes[0].join(timeout=1)
            assert not written  # both waiting
        hold.commit()
        for publish in publishes:
            publish.join(timeout=60)
    finally:
        hold.close()
    assert sorted(w[TABLE] for w in written) == [0, 2]
    _assert_published_is_audited(query)
