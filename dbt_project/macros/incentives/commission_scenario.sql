{#-
    The commission chain's scenarios (docs/forecast.md, "Expected commission"). The chain is one
    engine: `actual` (the default) runs it on the booked order lines into `intermediate`, as every
    build does; `forecast` runs the same models on the order lines of the forecast month plus the
    open deals expected to close in it (`int_forecast_order_lines_expected`), into the schema
    `commission_forecast`. Dagster's `marts/fct_expected_commissions` asset starts that second run
    with `--vars '{commission_scenario: forecast}'`; nothing else changes between the two.
-#}

{#- The scenario of this invocation: 'actual' unless the var says 'forecast'. -#}
{% macro commission_scenario() -%}
    {%- set scenario = var('commission_scenario', 'actual') -%}
    {%- if scenario not in ('actual', 'forecast') -%}
        {{ exceptions.raise_compiler_error(
            "commission_scenario is '" ~ scenario ~ "': use 'actual' (the default) or 'forecast'"
        ) }}
    {%- endif -%}
    {%- if scenario != 'actual' and not var('commission_scenario_models', []) -%}
        {{ exceptions.raise_compiler_error(
            "commission_scenario '" ~ scenario ~ "' needs the var commission_scenario_models (the"
            ~ " chain models to rebuild in its own schema); run it from the Dagster asset"
            ~ " marts/fct_expected_commissions, which passes both"
        ) }}
    {%- endif -%}
    {{ return(scenario) }}
{%- endmacro %}

{#- The chain's models a non-actual scenario rebuilds in its own schema: the var
    `commission_scenario_models`, which the Dagster asset passes with the scenario and also
    selects (orchestration/defs/forecast/commission.py, SCENARIO_MODELS). -#}
{% macro commission_scenario_models() -%}
    {{ return(var('commission_scenario_models', [])) }}
{%- endmacro %}

{#- The schema a chain model lands in for a non-actual scenario. -#}
{% macro commission_scenario_schema(scenario) -%}
    {{ return('commission_' ~ scenario) }}
{%- endmacro %}

{#- The chain's one input switch: the order lines it credits in this scenario. -#}
{% macro commission_order_lines() -%}
    {%- if commission_scenario() == 'forecast' -%}
        {{ ref('int_forecast_order_lines_expected') }}
    {%- else -%}
        {{ ref('int_order_lines_enriched') }}
    {%- endif -%}
{%- endmacro %}
