{#- Date helpers built on dbt's cross-database macros, so the models stay portable. -#}

{#- The first day of the month `expression` falls in, as a date. -#}
{% macro month_start(expression) -%}
    cast({{ dbt.date_trunc('month', expression) }} as date)
{%- endmacro %}

{#- The date `months` months after the date `expression` (negative goes back). -#}
{% macro add_months(expression, months) -%}
    cast({{ dbt.dateadd('month', months, expression) }} as date)
{%- endmacro %}

{#- The date `days` days after the date `expression`. -#}
{% macro add_days(expression, days) -%}
    cast({{ dbt.dateadd('day', days, expression) }} as date)
{%- endmacro %}

{#- Fractional days between two timestamps, to the second (a stage dwell of 36 h is 1.5 days). -#}
{% macro days_between(start_at, end_at) -%}
    ({{ dbt.datediff(start_at, end_at, 'second') }}) / 86400.0
{%- endmacro %}

{#- Fractional hours between two timestamps, to the second. -#}
{% macro hours_between(start_at, end_at) -%}
    ({{ dbt.datediff(start_at, end_at, 'second') }}) / 3600.0
{%- endmacro %}

{#- Whole days from the date `start_date` to the date `end_date` (dbt.datediff, trimmed to one line). -#}
{% macro day_diff(start_date, end_date) -%}
    {{ dbt.datediff(start_date, end_date, 'day') | trim }}
{%- endmacro %}

{#- The last day of the month the date `expression` falls in (a month start's month end). -#}
{% macro month_end(expression) -%}
    {{ add_days(add_months(month_start(expression), 1), -1) }}
{%- endmacro %}
