{#- Each plan version with the date the next version replaces it (null: still in force). -#}
with

plan_versions as (
    select * from {{ ref('stg_plans__plan_versions') }}
),

dated as (
    select
        plan_versions.*,
        lead(plan_versions.effective_from) over (
            partition by plan_versions.plan_id
            order by plan_versions.plan_version
        ) as effective_to
    from plan_versions
),

final as (
    select * from dated
)

select * from final
