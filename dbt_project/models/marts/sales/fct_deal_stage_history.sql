{{
    config(
        materialized=incremental_materialization(),
        unique_key='deal_id',
        incremental_strategy='delete+insert',
        post_hook=[
            "{{ delete_records_deleted_at_source('deal_id', 'int_crm_deals_unioned') }}",
        ],
        indexes=[
            {'columns': ['deal_id']},
            {'columns': ['stage_id']},
            {'columns': ['entered_at']},
        ],
    )
}}

{#-
    The contracted face of `int_deal_stage_visits_sequenced` (its rules live there), kept incremental on the
    same load cursor: each run copies only the rows the new loads touched.
-#}
with

stage_visits as (
    select * from {{ ref('int_deal_stage_visits_sequenced') }}
),

{% if is_incremental() %}
cutoff as (
    {{ incremental_load_cursor() }}
),
{% endif %}

final as (
    select stage_visits.*
    from stage_visits
    {% if is_incremental() -%}
    cross join cutoff
    where {{ loaded_after_cursor('stage_visits') }}
    {%- endif %}
)

select * from final
