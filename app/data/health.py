"""How fresh and how healthy the data is: dlt loads, dbt invocations and their tests, Great
Expectations validations, as the access macros expose them in `app_meta` after every dbt run
(see dbt_project/macros/access)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def source_loads(reader: Reader) -> pd.DataFrame:
    """Per raw schema (dlt source): its last successful load (status 0 in `_dlt_loads`), how
    many loads succeeded, and whether a later load is unfinished or failed."""
    return reader.read(
        """
        select
            source_schema,
            max(inserted_at) filter (where status = 0) as last_success_at,
            count(*) filter (where status = 0) as successful_loads,
            count(*) filter (where status <> 0) as other_loads,
            max(inserted_at) as last_load_at
        from app_meta.source_loads
        group by source_schema
        order by source_schema
        """
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def file_reconciliation(reader: Reader) -> pd.DataFrame:
    """The latest counted version of every loaded file: rows read, loaded, rejected (with
    reasons in the raw `*_rejected` tables) and merged into another file's row; they add up."""
    return reader.read(
        """
        select distinct on (source_schema, source_file)
            source_schema, source_file, content_hash, loaded_at, rows_read, rows_loaded,
            rows_rejected, rows_merged
        from app_meta.file_reconciliation
        order by source_schema, source_file, loaded_at desc
        """
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def refreshes(reader: Reader) -> pd.DataFrame:
    """The latest dbt invocations, newest first: when they finished and how many nodes failed."""
    return reader.read(
        """
        select invocation_id, finished_at, nodes_ok, nodes_failed
        from app_meta.refreshes
        order by finished_at desc
        limit 20
        """
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def check_results(reader: Reader) -> pd.DataFrame:
    """The dbt tests of the latest invocation that ran any, with their status and failures."""
    return reader.read(
        """
        with latest as (
            select invocation_id
            from app_meta.check_results
            order by finished_at desc
            limit 1
        )
        select results.unique_id, results.resource_type, results.status, results.failures,
            results.message, results.finished_at
        from app_meta.check_results as results
        inner join latest on results.invocation_id = latest.invocation_id
        order by results.status <> 'pass' desc, results.unique_id
        """
    )


# The dbt test that proves every payout equals the sum of its lines (its one home: the app reads
# its result rather than recomputing it).
PAYOUT_RECONCILIATION_TEST = "assert_payout_is_the_sum_of_its_lines"


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def latest_test_result(reader: Reader, test_name: str) -> pd.DataFrame:
    """The latest recorded result of one dbt test, by its name (the third part of its
    `unique_id`, e.g. a singular test's file name): status, failing rows and when it ran.
    Empty when no recorded build ran it yet."""
    return reader.read(
        """
        select unique_id, status, failures, finished_at
        from app_meta.check_results
        where split_part(unique_id, '.', 3) = :test_name
        order by finished_at desc
        limit 1
        """,
        test_name=test_name,
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def quality_results(reader: Reader) -> pd.DataFrame:
    """The latest Great Expectations validation of each suite and table."""
    return reader.read(
        """
        select distinct on (suite_name, table_schema, table_name)
            suite_name, table_schema, table_name, is_success, evaluated_expectations,
            successful_expectations, row_count, validated_at
        from app_meta.quality_results
        order by suite_name, table_schema, table_name, validated_at desc
        """
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def staleness(reader: Reader) -> pd.Series:
    """Whether the marts may be stale: the latest dbt build failed somewhere, or the latest
    validation of some Great Expectations suite failed (a blocking check then keeps the previous
    good marts in place); and when the last build without failures finished."""
    return reader.read(
        """
        with latest_build as (
            select nodes_failed from app_meta.refreshes order by finished_at desc limit 1
        ),
        latest_validations as (
            select distinct on (suite_name, table_schema, table_name) is_success
            from app_meta.quality_results
            order by suite_name, table_schema, table_name, validated_at desc
        )
        select
            coalesce((select nodes_failed > 0 from latest_build), false)
            or coalesce((select bool_or(not is_success) from latest_validations), false)
                as is_stale,
            (select max(finished_at) from app_meta.refreshes where nodes_failed = 0)
                as last_good_at
        """
    ).iloc[0]
