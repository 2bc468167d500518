{#- How an incremental model is materialized on this engine. PostgreSQL deletes and inserts the
    rows a run touches (`delete+insert`); Parquet tables on Spark can neither delete nor merge
    rows, so there the model is rebuilt whole as a table (`is_incremental()` is then false and the
    model selects every row). -#}
{% macro incremental_materialization() %}
    {{ return(adapter.dispatch('incremental_materialization')()) }}
{% endmacro %}

{% macro default__incremental_materialization() %}
    {{ return('incremental') }}
{% endmacro %}

{% macro spark__incremental_materialization() %}
    {{ return('table') }}
{% endmacro %}
