{#-
    Every option of a plan version, one column each: the load writes exactly the options the plan
    schema defines (ingestion/sources/commission_plans/plan_schema.py), so they are listed from
    the raw table (macro `plan_option_columns`), not by hand.
-#}
with

source as (
    select * from {{ source('plans', 'plan_versions') }}
),

renamed as (
    select
        plan_id,
        cast(plan_version as integer) as plan_version,
        plan_name,
        plan_currency,
        effective_from,
        source_file
        {{- plan_option_columns(source('plans', 'plan_versions')) }}
    from source
)

select * from renamed
