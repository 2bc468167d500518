{#-
    A plan version's options, as the plan schema defines them: the load writes one column of
    `raw_plans.plan_versions` per option (ingestion/sources/commission_plans/plan_schema.py,
    `option_columns()`), so dbt reads the list from the database instead of repeating it. A new
    option then reaches staging and `int_rep_periods_planned` without touching either.
-#}

{#- The columns of a plan-versions relation that are options: all but the version's key and
    dlt's bookkeeping. Empty while dbt only parses, or before the relation exists. -#}
{% macro plan_options(relation) -%}
    {%- set key_columns = [
        'plan_id', 'plan_version', 'plan_name', 'plan_currency', 'effective_from', 'source_file',
        'effective_to',
    ] %}
    {%- set options = [] %}
    {%- if execute and relation is not none %}
        {%- for column in adapter.get_columns_in_relation(relation) %}
            {%- if column.name not in key_columns and not column.name.startswith('_dlt_') %}
                {%- do options.append(column) %}
            {%- endif %}
        {%- endfor %}
    {%- endif %}
    {{- return(options) }}
{%- endmacro %}

{#- Staging's select list of the options, each after a comma (so an empty list leaves valid SQL):
    counts arrive as dlt's bigint and become integer; rates and money keep the exact numeric
    type the load gave them. -#}
{% macro plan_option_columns(source_relation) -%}
    {%- for option in plan_options(source_relation) %},
        {% if option.dtype == 'bigint' -%}
        cast({{ option.name }} as integer) as {{ option.name }}
        {%- else -%}
        {{ option.name }}
        {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The option names of the staged plan versions, for models that pass every option on. A unit
    test's context has no graph: there the list is empty, so such a model computes nothing from
    an option it only passes on. -#}
{% macro plan_option_names() -%}
    {%- set relation = none %}
    {%- set staged = graph.get('nodes', {}).get('model.' ~ project_name ~ '.stg_plans__plan_versions') %}
    {%- if execute and staged %}
        {%- set relation = adapter.get_relation(staged.database, staged.schema, staged.alias) %}
    {%- endif %}
    {{- return(plan_options(relation) | map(attribute='name') | list) }}
{%- endmacro %}
