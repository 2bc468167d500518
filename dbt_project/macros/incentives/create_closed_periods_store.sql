{#-
    The closed-periods store: the schema the period-close job freezes lines, payouts and points
    into. dbt only creates it (on-run-start) and reads it as a source; nothing drops or rewrites
    it, so a rebuild from scratch still reads every closed figure back.

    Each frozen table holds the columns of its mart's contract (`_incentives__models.yml`) with
    their types, a column not null where the contract tests it so, except the columns the mart
    computes when it reads the store back (`closed_union_open`'s flags and keys, a line's team). A new contract
    column therefore needs no edit here, for a store created after it; an existing store keeps
    its columns (`create table if not exists`) until it is migrated.
-#}

{#- The store's tables: the mart each freezes and its primary key. -#}
{% macro closed_periods_store_tables() -%}
    {{- return([
        {'table': 'commission_lines', 'mart': 'fct_commission_lines', 'key': ['commission_line_id']},
        {'table': 'payouts', 'mart': 'fct_payouts', 'key': ['rep_id', 'period_start']},
        {
            'table': 'payout_payments',
            'mart': 'fct_payout_payments',
            'key': ['rep_id', 'period_start'],
        },
        {
            'table': 'incentive_points',
            'mart': 'fct_incentive_points',
            'key': ['rep_id', 'period_start', 'reason'],
        },
    ]) }}
{%- endmacro %}

{#- The contract columns of `mart` the store freezes, each with `not_null` set when the contract
    constrains or tests the column not null. -#}
{% macro closed_periods_store_columns(mart) -%}
    {%- set computed_when_read = ['is_closed', 'payout_id', 'status', 'closed_at', 'team_id'] %}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ mart] %}
    {%- set tested_not_null = [] %}
    {%- for test in graph.nodes.values() if test.resource_type == 'test' %}
        {%- if test.attached_node == node.unique_id
            and (test.test_metadata or {}).get('name') == 'not_null' %}
            {%- do tested_not_null.append(test.column_name) %}
        {%- endif %}
    {%- endfor %}
    {%- set columns = [] %}
    {%- for column in node.columns.values() if column.name not in computed_when_read %}
        {%- set constrained = column.constraints | map(attribute='type') | list %}
        {%- do columns.append({
            'name': column.name,
            'data_type': column.data_type,
            'not_null': column.name in tested_not_null
                or 'not_null' in constrained or 'primary_key' in constrained,
        }) %}
    {%- endfor %}
    {{- return(columns) }}
{%- endmacro %}

{% macro create_closed_periods_store() -%}
    {{ return(adapter.dispatch('create_closed_periods_store')()) }}
{%- endmacro %}

{% macro default__create_closed_periods_store() -%}
    create schema if not exists incentives_closed;
    create table if not exists incentives_closed.closed_periods (
        period_start date primary key,
        closed_at timestamptz not null,
        closed_by text not null
    )
    {%- if execute %}
    {%- for store in closed_periods_store_tables() %};
    create table if not exists incentives_closed.{{ store.table }} (
        {%- for column in closed_periods_store_columns(store.mart) %}
        {{ column.name }} {{ column.data_type }}
        {{- ' not null' if column.not_null }}
        {{- ' references incentives_closed.closed_periods' if column.name == 'period_start' }},
        {%- endfor %}
        primary key ({{ store.key | join(', ') }})
    )
    {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#- Spark: Parquet tables without keys (nothing enforces them there), the frozen ones partitioned
    by month: the period close (orchestration/spark_period_close.py) writes each month's partition
    once, then its `closed_periods` row. One statement per call as Spark SQL takes them. The hook
    itself renders nothing. -#}
{% macro spark__create_closed_periods_store() -%}
    {%- if execute %}
        {%- do run_query('create schema if not exists incentives_closed') %}
        {%- do run_query(
            'create table if not exists incentives_closed.closed_periods ('
            ~ 'period_start date not null, closed_at timestamp not null, closed_by string not null'
            ~ ') using parquet'
        ) %}
        {%- for store in closed_periods_store_tables() %}
            {%- set columns = [] %}
            {%- for column in closed_periods_store_columns(store.mart) %}
                {%- do columns.append(
                    column.name ~ ' ' ~ spark_type(column.data_type)
                    ~ (' not null' if column.not_null else '')
                ) %}
            {%- endfor %}
            {%- do run_query(
                'create table if not exists incentives_closed.' ~ store.table
                ~ ' (' ~ columns | join(', ') ~ ') using parquet partitioned by (period_start)'
            ) %}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}
