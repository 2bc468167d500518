"""The orders database source against a real PostgreSQL source database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from fixtures.loads import loaded_rows, table_rows
from fixtures.tiny_company import orders_tables

from ingestion.demo import orders_database
from ingestion.pipelines import append_first_loads, raw_pipeline
from ingestion.sources.orders_db import orders_db
from ingestion.sources.orders_db.settings import LOADER_FILE_FORMAT


@pytest.fixture
def orders_source(scratch_database: str):
    orders_database.write(scratch_database, orders_tables(), replace=True)
    return lambda: orders_db(credentials=scratch_database, schema="shop")


def _load(pipeline, source) -> None:
    """As the Dagster asset loads it: Parquet through ADBC, a table's first load appended."""
    pipeline.run(append_first_loads(source, pipeline), loader_file_format=LOADER_FILE_FORMAT)


def test_loads_every_table_then_nothing_on_a_rerun(orders_source, new_pipeline) -> None:
    pipeline = new_pipeline("orders")
    _load(pipeline, orders_source())
    # the tiny company: 8 customers, 3 products, 12 orders, 15 lines, 2 refunds
    assert loaded_rows(pipeline) == {
        "customers": 8,
        "products": 3,
        "orders": 12,
        "order_lines": 15,
        "refunds": 2,
    }
    _load(pipeline, orders_source())
    assert loaded_rows(pipeline) == {}
    # exact decimals survive: the 12 orders' gross amounts 27000.00 + 3600.00 + 3000.00 +
    # 2000.00 + 6000.00 + 8000.00 + 30000.00 + 3000.00 + 11500.00 + 5800.00 + 4800.00 + 420.00
    total = table_rows(pipeline, "select sum(quantity * unit_price) from {raw}.order_lines")
    assert total == [(Decimal("105120.00"),)]


def test_changed_rows_load_alone_and_broken_rows_are_rejected(
    orders_source, source_sql, new_pipeline
) -> None:
    pipeline = new_pipeline("orders")
    _load(pipeline, orders_source())
    source_sql("""
        update shop.orders set status = 'cancelled', updated_at = '2026-03-25 02:00+00'
            where order_id = 'O002';
        insert into shop.orders values
            ('O013', 'C001', '102', null, '2026-03-26 02:00+00', 'RMB', 'completed',
             '2026-03-26 02:00+00'),
            ('O014', 'C002', '102', null, '2026-03-26 03:00+00', 'CNY', 'completed',
             '2026-03-26 03:00+00');
        insert into shop.order_lines values
            ('L016', 'O014', 'P001', 0, 12000.00, '2026-03-26 03:00+00'),
            ('L017', 'O014', 'P002', 1, 3000.00, '2026-03-26 03:00+00');
    """)
    _load(pipeline, orders_source())
    # O002 changed, O014 new; O013 (currency RMB) and L016 (quantity 0) rejected, L017 new
    assert loaded_rows(pipeline) == {
        "orders": 2,
        "orders_rejected": 1,
        "order_lines": 1,
        "order_lines_rejected": 1,
    }
    assert table_rows(pipeline, "select status from {raw}.orders where order_id = 'O002'") == [
        ("cancelled",)
    ]
    assert table_rows(
        pipeline,
        "select order_id, source_table, source_row, field, reason from {raw}.orders_rejected",
    ) == [("O013", "orders", "O013", "currency", _currency_reason())]
    rejected_line = table_rows(
        pipeline, "select source_row, field, reason, raw_record from {raw}.order_lines_rejected"
    )
    assert rejected_line[0][:3] == ("L016", "quantity", "is not a positive number")
    assert '"order_line_id": "L016"' in rejected_line[0][3]
    _load(pipeline, orders_source())
    assert loaded_rows(pipeline) == {}  # rejected rows are not rejected again


def _currency_reason() -> str:
    from ingestion.sources.schema import KNOWN_CURRENCIES

    return f"is not one of {', '.join(sorted(KNOWN_CURRENCIES))}"


def test_a_new_column_evolves_and_a_type_change_stops_the_load(
    orders_source, source_sql, new_pipeline
) -> None:
    pipeline = new_pipeline("orders")
    _load(pipeline, orders_source())
    source_sql("""
        alter table shop.orders add column channel text;
        update shop.orders set channel = 'online', updated_at = '2026-03-27 02:00+00'
            where order_id = 'O005';
    """)
    _load(pipeline, orders_source())
    assert table_rows(
        pipeline, "select order_id, channel from {raw}.orders where channel is not null"
    ) == [("O005", "online")]
    source_sql("""
        alter table shop.order_lines alter column quantity type text;
        update shop.order_lines set quantity = '7', updated_at = '2026-03-28 02:00+00'
            where order_line_id = 'L007';
    """)
    with pytest.raises(PipelineStepFailed) as failure:
        _load(pipeline, orders_source())
    message = str(failure.value)
    assert "order_lines" in message and "quantity" in message and "data_type" in message


def test_a_first_load_appends_and_a_rerun_after_a_lost_load_merges(
    orders_source, new_pipeline, warehouse_url
) -> None:
    pipeline = new_pipeline("orders")
    _load(pipeline, orders_source())
    # appended straight into the new tables: no staging copy to merge from
    staged = table_rows(
        pipeline,
        "select count(*) from information_schema.tables where table_schema = '{raw}_staging'",
    )
    assert staged == [(0,)]
    # The load "dies" after its rows were committed but before dlt recorded it: no completed
    # load, no incremental state. The next run extracts everything again into existing tables.
    with pipeline.sql_client() as client:
        for table in ("_dlt_pipeline_state", "_dlt_loads"):
            client.execute_sql(f"delete from {pipeline.dataset_name}.{table}")
    pipeline.drop()
    again = raw_pipeline(pipeline.pipeline_name.removeprefix("raw_"), url=warehouse_url)
    _load(again, orders_source())
    assert loaded_rows(again)["order_lines"] == 15
    assert table_rows(
        again, "select count(*), count(distinct order_line_id) from {raw}.order_lines"
    ) == [(15, 15)]
    assert table_rows(again, "select count(*), count(distinct order_id) from {raw}.orders") == [
        (12, 12)
    ]


def test_an_empty_source_table_loads_as_an_empty_table(
    orders_source, source_sql, new_pipeline
) -> None:
    # a new shop has no refunds yet: its extract is an empty Parquet file, which dlt's ADBC copy
    # job alone fails on (ingestion/destination.py)
    source_sql("delete from shop.refunds")
    pipeline = new_pipeline("orders")
    _load(pipeline, orders_source())
    assert loaded_rows(pipeline)["order_lines"] == 15
    assert table_rows(pipeline, "select count(*) from {raw}.refunds") == [(0,)]
    _load(pipeline, orders_source())  # and again, finding nothing anywhere
    assert loaded_rows(pipeline) == {}
    assert table_rows(pipeline, "select count(*) from {raw}.order_lines") == [(15,)]
