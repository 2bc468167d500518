{#-
    Key tests the database already guarantees. A `unique` or `not_null` test (and our
    `unique_combination_of_columns_incentives`) scans the whole table on every build, and the
    biggest tables (the closed-periods store, the commission lines) only grow. On PostgreSQL a
    table whose constraint is enforced cannot hold a row breaking it: a NOT NULL column holds no
    null, and a primary key or a valid unique index on exactly the tested columns (not partial,
    not on expressions) holds no duplicate. Such a test is answered from the catalog instead
    (`constraint_enforced`: one query on pg_index and pg_attribute), and returns no failing row.

    Everything else is scanned as dbt does: views, tables without such a constraint, tests with a
    `where` config (the model is a subquery then), and every adapter but PostgreSQL (Spark
    enforces no constraint). A key of several columns also needs each column NOT NULL, since the
    test counts null combinations as equal and a unique index does not, unless the index is
    `nulls not distinct` (PostgreSQL 15 and later), which compares nulls as the test does: an
    incremental table whose marker rows leave key columns null can be keyed so
    (unique_key_index()).
-#}
{% macro constraint_enforced(model, columns, kind) -%}
    {%- if not execute or target.type != 'postgres' or model.identifier is not defined -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set names = columns | map('lower') | sort -%}
    {%- set quoted = [] -%}
    {%- for name in names -%}
        {#- a tested `column_name` may be an expression, quotes included -#}
        {%- do quoted.append("'" ~ name | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {%- set query -%}
        with tested as (
            select tables.oid
            from pg_class as tables
            inner join pg_namespace as schemas on tables.relnamespace = schemas.oid
            where
                schemas.nspname = '{{ model.schema }}'
                and tables.relname = '{{ model.identifier }}'
                and tables.relkind in ('r', 'p')
        ),

        not_null as (
            select coalesce(bool_and(columns.attnotnull), false) as enforced
            from pg_attribute as columns
            inner join tested on columns.attrelid = tested.oid
            where columns.attname in ({{ quoted | join(', ') }}) and not columns.attisdropped
            having count(*) = {{ names | length }}
        ),

        unique_index as (
            select
                count(*) > 0 as enforced,
                {#- read through jsonb: the column is missing before PostgreSQL 15 #}
                coalesce(
                    bool_or((to_jsonb(indexes) ->> 'indnullsnotdistinct')::boolean), false
                ) as nulls_equal
            from pg_index as indexes
            inner join tested on indexes.indrelid = tested.oid
            where
                indexes.indisunique
                and indexes.indisvalid
                and indexes.indpred is null
                and indexes.indexprs is null
                and indexes.indnkeyatts = {{ names | length }}
                and array(
                    select columns.attname::text
                    from pg_attribute as columns
                    where
                        columns.attrelid = tested.oid
                        and columns.attnum = any(indexes.indkey)
                    order by columns.attname::text
                ) = array[{{ quoted | join(', ') }}]::text[]
        )

        select
            coalesce((select enforced from not_null), false) as not_null,
            (select enforced from unique_index) as is_unique,
            (select nulls_equal from unique_index) as nulls_equal
    {%- endset -%}
    {%- set answer = run_query(query).rows[0] -%}
    {%- if kind == 'not_null' -%}
        {{ return(answer[0] == true) }}
    {%- elif kind == 'unique' -%}
        {{ return(answer[1] == true) }}
    {%- else -%}
        {#- a combination: unique, and no column null or nulls compared as equal (as the test does) -#}
        {{ return(answer[1] == true and (answer[0] == true or answer[2] == true)) }}
    {%- endif -%}
{%- endmacro %}

{% macro postgres__test_unique(model, column_name) -%}
    {%- if constraint_enforced(model, [column_name], 'unique') %}
select null as unique_field, 0 as n_records where false
    {%- else %}
{{ dbt.default__test_unique(model, column_name) }}
    {%- endif %}
{%- endmacro %}

{% macro postgres__test_not_null(model, column_name) -%}
    {%- if constraint_enforced(model, [column_name], 'not_null') %}
select null as {{ column_name }} where false
    {%- else %}
{{ dbt.default__test_not_null(model, column_name) }}
    {%- endif %}
{%- endmacro %}
