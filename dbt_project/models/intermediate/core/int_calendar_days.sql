{#- Every day between the `calendar_start_date` and `calendar_end_date` vars. -#}
with

spine as (
    {{ dbt.date_spine(
        'day',
        dbt.safe_cast(dbt.string_literal(var('calendar_start_date')), api.Column.translate_type('date')),
        dbt.safe_cast(dbt.string_literal(var('calendar_end_date')), api.Column.translate_type('date')),
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from spine
)

select * from final
