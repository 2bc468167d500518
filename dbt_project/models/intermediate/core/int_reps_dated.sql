with

assignments as (
    select * from {{ ref('int_rep_assignments_joined') }}
),

data_date as (
    select * from {{ ref('int_data_date') }}
),

final as (
    select
        {{ surrogate_key(['assignments.rep_id', 'assignments.valid_from']) }} as rep_history_id,
        assignments.rep_id,
        assignments.email,
        assignments.first_name,
        assignments.last_name,
        assignments.full_name,
        assignments.role,
        assignments.team_id,
        assignments.team_name,
        assignments.region_id,
        assignments.region_name,
        assignments.manager_rep_id,
        assignments.hire_date,
        assignments.leave_date,
        assignments.valid_from,
        assignments.valid_to,
        (
            assignments.valid_from <= data_date.data_date
            and (assignments.valid_to is null or assignments.valid_to > data_date.data_date)
        ) as is_current,
        (
            assignments.leave_date is null or assignments.leave_date > data_date.data_date
        ) as is_active,
        assignments.source_system
    from assignments
    cross join data_date
)

select * from final
