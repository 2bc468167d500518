{#-
    What only PostgreSQL does (docs/spark.md, "What stays on PostgreSQL"): the app's roles and
    row-level security (macros/access) and month-end's role-checked decisions
    (macros/commission_ops) live beside the app, in its PostgreSQL. The hooks of dbt_project.yml
    call these names; each dispatches to the `postgres__` macro, and on any other engine renders
    nothing, so the hook is skipped. Marts built on Spark are published into the app's
    PostgreSQL, where these run.
-#}

{% macro access_setup() -%}
    {{ return(adapter.dispatch('access_setup')()) }}
{%- endmacro %}

{% macro access_pipeline_roles() -%}
    {{ return(adapter.dispatch('access_pipeline_roles')()) }}
{%- endmacro %}

{% macro access_protect() -%}
    {{ return(adapter.dispatch('access_protect')()) }}
{%- endmacro %}

{% macro access_refresh(results) -%}
    {{ return(adapter.dispatch('access_refresh')(results)) }}
{%- endmacro %}

{% macro commission_ops_approvals() -%}
    {{ return(adapter.dispatch('commission_ops_approvals')()) }}
{%- endmacro %}

{% macro commission_ops_disputes() -%}
    {{ return(adapter.dispatch('commission_ops_disputes')()) }}
{%- endmacro %}

{% macro default__access_setup() %}{% endmacro %}
{% macro default__access_pipeline_roles() %}{% endmacro %}
{% macro default__access_protect() %}{% endmacro %}
{% macro default__access_refresh(results) %}{% endmacro %}
{% macro default__commission_ops_approvals() %}{% endmacro %}
{% macro default__commission_ops_disputes() %}{% endmacro %}

{#- `analyze` after an intermediate table is built: the planner's statistics. -#}
{% macro analyze_relation(relation) -%}
    {{ return(adapter.dispatch('analyze_relation')(relation)) }}
{%- endmacro %}

{% macro default__analyze_relation(relation) -%}
    analyze {{ relation }}
{%- endmacro %}

{% macro spark__analyze_relation(relation) -%}
    analyze table {{ relation }} compute statistics
{%- endmacro %}

{#- Written between a CTE's `as` and its body when the CTE is read twice and should be planned
    into each reader rather than computed once and stored (PostgreSQL stores a CTE read more than
    once, and its stored rows are scanned without parallel workers, the filters of the readers
    and the row estimates of the tables). Spark always inlines and knows no such word. -#}
{% macro cte_inlined() -%}
    {{ return(adapter.dispatch('cte_inlined')()) }}
{%- endmacro %}

{% macro postgres__cte_inlined() -%}
    not materialized
{%- endmacro %}

{% macro default__cte_inlined() -%}
{%- endmacro %}

{#- A post-hook keying an incremental table on `columns` with a unique index whose nulls compare
    as equal (`nulls not distinct`), created when the key is not enforced yet (the check the key
    test makes: constraint_enforced(), macros/utils/enforced_constraints.sql): on the first build
    and after a full refresh, not on each incremental run. PostgreSQL then refuses a duplicate key
    as it is written, and the key's test is answered from the catalog instead of scanning the whole
    table on every build. The index is unnamed: a full refresh's backup table still holds the old
    one while the hook runs. PostgreSQL 14 has no such index, nor does any other engine: nothing is
    created and the test scans, as before. -#}
{% macro unique_key_index(relation, columns) -%}
    {{ return(adapter.dispatch('unique_key_index')(relation, columns)) }}
{%- endmacro %}

{% macro default__unique_key_index(relation, columns) %}{% endmacro %}

{% macro postgres__unique_key_index(relation, columns) -%}
    {%- if execute
        and run_query("select current_setting('server_version_num')::integer").rows[0][0] >= 150000
        and not constraint_enforced(relation, columns, 'unique_combination') %}
create unique index on {{ relation }} ({{ columns | join(', ') }}) nulls not distinct
    {%- endif %}
{%- endmacro %}
