{#-
    Aggregate `relation` once per organisation level in `scope_types` (rep, team, region,
    company), stacked: adds `scope_type` and `scope_id` (the row's rep_id, team_id or region_id,
    or 'company'), groups by them and `group_columns`, and selects the `measures` (a mapping of
    output column to aggregate expression). Rows without an id at a level are left out of it.
-#}
{% macro aggregate_by_scope(relation, scope_types, group_columns, measures) -%}
    {%- set scope_columns = {'rep': 'rep_id', 'team': 'team_id', 'region': 'region_id'} -%}
    {%- for scope_type in scope_types %}
    select
        '{{ scope_type }}' as scope_type,
        {% if scope_type == 'company' -%}
            'company'
        {%- else -%}
            {{ scope_columns[scope_type] }}
        {%- endif %} as scope_id,
        {% for column in group_columns -%}
            {{ column }},
        {% endfor -%}
        {%- for name, expression in measures.items() %}
        {{ expression }} as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }}
    {% if scope_type != 'company' -%}
        where {{ scope_columns[scope_type] }} is not null
    {% endif -%}
    group by
        {% if scope_type != 'company' %}{{ scope_columns[scope_type] }}, {% endif -%}
        {{ group_columns | join(', ') }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
