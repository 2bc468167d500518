{#-
    The cursor of an incremental model: the newest dlt load already built into it (`_dlt_load_id`,
    0 when empty). Rows that later loads brought are rebuilt, whatever their event or change
    dates: an export of old history loaded today is taken like any new row. An event-date or
    `updated_at` cursor missed such rows until a `--full-refresh`.
    dlt's load ids are the load's start time in epoch seconds, so they order numerically. The
    pipeline job builds after its loads finished (orchestration/defs/jobs). A load that started
    before a newer one and committed only after a build had passed that newer one would be
    missed: only an overlapping run of two jobs loading the same source could do that.
-#}
{% macro incremental_load_cursor() -%}
    select coalesce(max(cast(_dlt_load_id as {{ type_exact_numeric() }})), 0) as last_load_id
    from {{ this }}
{%- endmacro %}

{#- The row came in a load newer than the model's cursor (`cutoff`, from the macro above). -#}
{% macro loaded_after_cursor(relation) -%}
    cast({{ relation }}._dlt_load_id as {{ type_exact_numeric() }}) > cutoff.last_load_id
{%- endmacro %}

{#- The newest of several dlt load ids (text, as dlt writes them), compared as numbers. -#}
{% macro newest_load_id(load_ids) -%}
    {%- set newest -%}
    greatest(
        {%- for load_id in load_ids %}
        cast({{ load_id }} as {{ type_exact_numeric() }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
    {%- endset -%}
    {{ exact_number_text(newest) }}
{%- endmacro %}

{#-
    The post-hook of a model kept incremental by key: records deleted at the source leave it. Only
    an incremental run needs it (a full build already leaves them out), so it renders nothing
    otherwise: on Spark, where such models are tables (`incremental_materialization`), Parquet
    could not delete anyway. The `ref` is taken outside the condition, so dbt sees the dependency
    when it parses the project (where `is_incremental()` is false).
-#}
{% macro delete_records_deleted_at_source(key, unioned_model) -%}
    {%- set unioned = ref(unioned_model) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key }} in (select {{ key }} from {{ unioned }} where is_deleted)
    {%- endif -%}
{%- endmacro %}
