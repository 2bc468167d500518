{#-
    Salesforce has one opportunity pipeline per org (sales processes by record type aside): the
    stages of `OpportunityStage` all belong to it.
-#}
with

stages as (
    select * from {{ source('salesforce', 'opportunity_stages') }}
),

final as (
    select distinct
        'default' as pipeline_id,
        'Opportunities' as pipeline_label,
        0 as display_order
    from stages
)

select * from final
