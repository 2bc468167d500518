{{
    config(
        materialized='incremental',
        unique_key='activity_id',
        incremental_strategy='delete+insert',
        post_hook=[
            "delete from {{ this }} where activity_id in (select activity_id from "
            ~ "{{ ref('int_crm_activities_unioned') }} where is_deleted)",
        ],
        indexes=[
            {'columns': ['activity_date']},
            {'columns': ['rep_id']},
            {'columns': ['deal_id']},
        ],
    )
}}

{#-
    The contracted face of `int_activities_enriched` (its rules live there), kept incremental on the
    same load cursor: each run copies only the rows the new loads touched.
-#}
with

activities as (
    select * from {{ ref('int_activities_enriched') }}
),

{% if is_incremental() %}
cutoff as (
    {{ incremental_load_cursor() }}
),
{% endif %}

final as (
    select activities.*
    from activities
    {% if is_incremental() -%}
    cross join cutoff
    where {{ loaded_after_cursor('activities') }}
    {%- endif %}
)

select * from final
