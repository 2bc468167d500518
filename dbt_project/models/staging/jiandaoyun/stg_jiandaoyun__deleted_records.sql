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
        data_id::text as record_id,
        is_deleted,
        detected_at::timestamptz as detected_at,
        _dlt_load_id
    from source
)

select * from final
