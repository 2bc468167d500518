{#-
    A scope level's monthly targets: its own (from `own_relation`, rows of that `scope_type`) side
    by side with the sum of its members' (`rolled_up_relation`: scope_id, metric, month_start,
    rolled_up_amount), matched on scope, metric and month; either side may be missing.
-#}
{% macro own_and_rolled_up_targets(scope_type, own_relation, rolled_up_relation) -%}
    select
        '{{ scope_type }}' as scope_type,
        coalesce(own.scope_id, rolled_up.scope_id) as scope_id,
        coalesce(own.metric, rolled_up.metric) as metric,
        coalesce(own.month_start, rolled_up.month_start) as month_start,
        own.target_amount as own_target_amount,
        own.source_period_rank,
        rolled_up.rolled_up_amount as rolled_up_target_amount
    from (
        select *
        from {{ own_relation }}
        where scope_type = '{{ scope_type }}'
    ) as own
    full outer join {{ rolled_up_relation }} as rolled_up
        on
            own.scope_id = rolled_up.scope_id
            and own.metric = rolled_up.metric
            and own.month_start = rolled_up.month_start
{%- endmacro %}
