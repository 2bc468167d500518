{#- Every day from the `calendar_start_date` var to the `calendar_end_date` var, both included
    (the date spine stops before its end, so it is given the day after). -#}
with

spine as (
    {{ dbt.date_spine(
        'day',
        dbt.safe_cast(dbt.string_literal(var('calendar_start_date')), api.Column.translate_type('date')),
        dbt.dateadd(
            'day', 1,
            dbt.safe_cast(dbt.string_literal(var('calendar_end_date')), api.Column.translate_type('date')),
        ),
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from spine
)

select * from final
