{#-
    The median of `expression` as an aggregate. Warehouses spell it differently, so it dispatches:
    `postgres__median` is the Postgres-only form; the default is the `median()` aggregate of
    Snowflake, Redshift, Databricks and DuckDB. Postgres's `percentile_cont` would return a float,
    so it averages the lower and upper middle values (`percentile_disc` keeps the numeric type):
    the median stays exact.
-#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro postgres__median(expression) -%}
    (
        percentile_disc(0.5) within group (order by {{ expression }})
        + percentile_disc(0.5) within group (order by {{ expression }} desc)
    ) / 2
{%- endmacro %}

{#- Spark's median() and percentile_disc() return a double: the middle values are picked from
    the sorted list instead, so the median keeps the decimal type. An empty group gives null: its
    lower middle position would be 0, which even try_element_at refuses, so it is made null. -#}
{% macro spark__median(expression) -%}
    (
        try_element_at(
            array_sort(collect_list({{ expression }})),
            nullif(cast(floor((count({{ expression }}) + 1) / 2) as int), 0)
        )
        + try_element_at(
            array_sort(collect_list({{ expression }})),
            cast(ceil((count({{ expression }}) + 1) / 2) as int)
        )
    ) / 2
{%- endmacro %}
