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
        source_file,
        cast(default_rate as numeric(9, 4)) as default_rate,
        tier_mode,
        cast(accelerator_above_attainment as numeric(9, 4)) as accelerator_above_attainment,
        cast(accelerator_multiplier as numeric(9, 4)) as accelerator_multiplier,
        cast(decelerator_below_attainment as numeric(9, 4)) as decelerator_below_attainment,
        cast(decelerator_multiplier as numeric(9, 4)) as decelerator_multiplier,
        cast(target_incentive_amount as numeric(18, 2)) as target_incentive_amount,
        cast(cap_amount as numeric(18, 2)) as cap_amount,
        cast(cap_target_incentive_multiple as numeric(9, 4)) as cap_target_incentive_multiple,
        cast(override_rate as numeric(9, 4)) as override_rate,
        cast(clawback_window_days as integer) as clawback_window_days,
        cast(draw_monthly_amount as numeric(18, 2)) as draw_monthly_amount,
        cast(visits_threshold as integer) as visits_threshold,
        cast(visits_points as integer) as visits_points,
        cast(conversion_bonus_amount as numeric(18, 2)) as conversion_bonus_amount,
        cast(trainings_threshold as integer) as trainings_threshold,
        cast(trainings_points as integer) as trainings_points
    from source
)

select * from renamed
