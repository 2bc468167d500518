{#-
    The materialization of a model kept incremental by key (`unique_key`, `delete+insert`) on
    PostgreSQL. Spark's Parquet tables can neither delete rows nor merge them (both need Delta
    Lake), so on Spark such a model is a table rebuilt in full by every build: its full-build SQL
    already leaves out deleted records, which only an incremental run's delete post-hook (under
    `is_incremental()`) has to remove, so both engines hold the same rows.
-#}
{% macro incremental_by_key() -%}
    {{ return(adapter.dispatch('incremental_by_key')()) }}
{%- endmacro %}

{% macro default__incremental_by_key() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__incremental_by_key() -%}
    {{ return('table') }}
{%- endmacro %}
