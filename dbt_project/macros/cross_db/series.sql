{#-
    A one-column relation `series_value` of the integers `start` to `stop` (inclusive): the
    generator of date spines and month grids. PostgreSQL has the set-returning
    `generate_series`; Spark explodes a `sequence` array. Use it in a from clause:
    `from {{ integer_series(0, 11) }} as months`.
-#}
{% macro integer_series(start, stop) -%}
    {{ return(adapter.dispatch('integer_series')(start, stop)) }}
{%- endmacro %}

{% macro default__integer_series(start, stop) -%}
    generate_series({{ start }}, {{ stop }}) as series (series_value)
{%- endmacro %}

{% macro spark__integer_series(start, stop) -%}
    (select explode(sequence({{ start }}, {{ stop }})) as series_value)
{%- endmacro %}

{#- The integers `start` to `stop` (inclusive) as a select-list column: one row per integer for
    each row of the from clause, so the bounds may be that row's columns (a month spine between a
    relation's first and last month). PostgreSQL's set-returning `generate_series` and Spark's
    `explode` generator both expand in the select list; one per select. -#}
{% macro integer_series_values(start, stop) -%}
    {{ return(adapter.dispatch('integer_series_values')(start, stop)) }}
{%- endmacro %}

{% macro default__integer_series_values(start, stop) -%}
    generate_series({{ start }}, {{ stop }})
{%- endmacro %}

{% macro spark__integer_series_values(start, stop) -%}
    explode(sequence({{ start }}, {{ stop }}))
{%- endmacro %}
