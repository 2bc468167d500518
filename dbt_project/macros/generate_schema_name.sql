{#- Models land in exactly the schema their folder names (staging, intermediate, marts), not in
    dbt's default `<target schema>_<custom schema>`. A commission scenario other than the actual
    one puts the chain models it rebuilds in a schema of their own (commission_scenario.sql). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set scenario = commission_scenario() -%}
    {%- if scenario != 'actual' and node is not none and node.name in commission_scenario_models() -%}
        {{ commission_scenario_schema(scenario) }}
    {%- else -%}
        {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
    {%- endif -%}
{%- endmacro %}
