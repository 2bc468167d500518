{#-
    The list API has no deleted flag: a record is deleted when its form stops listing its id.
    The latest finding per record wins (a restored record comes back with `is_deleted` false).
-#}
with

source as (
    select * from {{ source('jiandaoyun', 'deleted_records') }}
),

final as (
    select
        form,
        cast(data_id as {{ dbt.type_string() }}) as record_id,
        is_deleted,
        cast(detected_at as {{ type_timestamp_tz() }}) as detected_at,
        _dlt_load_id
    from source
)

select * from final
