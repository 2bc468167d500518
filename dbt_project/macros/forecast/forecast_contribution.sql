{#-
    The select list of one kind of contribution to a forecast (int_forecasts_scoped): the forecast
    day and period from `periods`, the rep, team and region from `alias`, and every forecast
    measure, each the expression `measures` gives it or 0. Every branch of the union then has the
    same columns in the same order, whichever measures it feeds.
-#}
{% macro forecast_contribution(alias, measures) -%}
    {%- set measure_names = forecast_measure_names() -%}
    {%- for name in measures if name not in measure_names -%}
        {{ exceptions.raise_compiler_error('forecast_contribution: unknown measure ' ~ name) }}
    {%- endfor -%}
    periods.snapshot_date,
    periods.period_type,
    periods.period_start,
    periods.period_end_date,
    {{ alias }}.rep_id,
    {{ alias }}.team_id,
    {{ alias }}.region_id,
    {%- for name in measure_names %}
    {{ measures.get(name, '0') }} as {{ name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The forecast measures every contribution carries, in their column order. -#}
{% macro forecast_measure_names() -%}
    {{ return([
        'closed_won_amount',
        'open_pipeline_amount',
        'weighted_pipeline_amount',
        'commit_amount',
        'best_case_amount',
        'empirical_open_amount',
        'expected_new_amount',
        'period_won_amount',
    ]) }}
{%- endmacro %}
