-- Two plans equally specific for the same rep and period (two role plans, say) are ambiguous.
select *
from {{ ref('int_rep_periods_planned') }}
where competing_plan_count > 1
