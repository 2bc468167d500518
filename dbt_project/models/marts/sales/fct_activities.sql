{{
    config(
        materialized=incremental_materialization(),
        unique_key='activity_id',
        incremental_strategy='delete+insert',
        post_hook=[
            "{{ delete_records_deleted_at_source('activity_id', 'int_crm_activities_unioned') }}",
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
