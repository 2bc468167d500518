{#-
    Repeat every row of `relation` (which has a `month_start` column) once per period it counts
    toward: its month, its fiscal quarter and its fiscal year, adding `period_type`,
    `period_start` and `period_rank` (1 month, 2 quarter, 3 year). `calendar` is dim_date.
-#}
{% macro expand_months_to_periods(relation, calendar) -%}
    {%- for period in [
        ('month', 'month_start_date', 1),
        ('quarter', 'fiscal_quarter_start_date', 2),
        ('year', 'fiscal_year_start_date', 3),
    ] %}
    select
        monthly_rows.*,
        '{{ period[0] }}' as period_type,
        period_calendar.{{ period[1] }} as period_start,
        {{ period[2] }} as period_rank
    from {{ relation }} as monthly_rows
    inner join {{ calendar }} as period_calendar
        on monthly_rows.month_start = period_calendar.date_day
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
