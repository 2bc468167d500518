{#-
    An org with one sales process has one opportunity pipeline (`default`), holding the stages
    of `OpportunityStage`. An org with several has an opportunity record type per process (or
    more than one per process): each record type is a pipeline, named as the record type, with
    the stages its process allows (stg_salesforce__pipeline_stages). `default` stays for
    opportunities without a record type.
-#}
with

stages as (
    select * from {{ source('salesforce', 'opportunity_stages') }}
),

record_types as (
    select * from {{ source('salesforce', 'record_types') }}
),

default_pipeline as (
    select distinct
        'default' as pipeline_id,
        'Opportunities' as pipeline_label,
        0 as display_order
    from stages
),

record_type_pipelines as (
    select
        cast(id as {{ dbt.type_string() }}) as pipeline_id,
        name as pipeline_label,
        cast(row_number() over (order by name, id) as {{ dbt.type_int() }}) as display_order
    from record_types
    where sobject_type = 'Opportunity'
),

final as (
    select * from default_pipeline
    union all
    select * from record_type_pipelines
)

select * from final
