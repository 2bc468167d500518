{#-
    Split each group's `total` into parts proportional to `weight`, exact to `unit` (0.01 for money,
    1 for counts), so the parts always sum to the total.

    The largest-remainder rule: every part first gets its share rounded down to a whole unit; the
    units still missing (total minus the rounded-down parts) go one each to the parts with the
    largest remainders, ties broken by `order_by` (earliest first). Weights need not sum to 1: each
    is divided by its group's sum. Adds `allocated_amount` to the columns of `relation`.
    A share is `total * weight / sum(weight)`, multiplied before it is divided: Spark keeps 6
    decimals of a quotient of wide decimals, so a share first taken as `weight / sum(weight)`
    (1/12 = 0.083333) lost cents there that no remainder could restore (a 100000.00 target
    decomposed into months summed to 99999.61).
-#}
{% macro allocate_largest_remainder(relation, partition_by, order_by, total, weight, unit) -%}
    select
        ranked.*,
        ranked.floored_amount
        + case when ranked.remainder_rank <= ranked.leftover_units then {{ unit }} else 0 end
        as allocated_amount
    from (
        select
            shares.*,
            round(
                (shares.total_for_allocation - sum(shares.floored_amount) over (partition by {{ partition_by }}))
                / {{ unit }}
            ) as leftover_units,
            row_number() over (
                partition by {{ partition_by }}
                order by shares.raw_amount - shares.floored_amount desc, {{ order_by }}
            ) as remainder_rank
        from (
            select
                weighted.*,
                weighted.total_for_allocation * weighted.weight_for_allocation
                / weighted.weight_total as raw_amount,
                floor(
                    weighted.total_for_allocation * weighted.weight_for_allocation
                    / weighted.weight_total / {{ unit }}
                ) * {{ unit }} as floored_amount
            from (
                select
                    source_rows.*,
                    {{ total }} as total_for_allocation,
                    {{ weight }} as weight_for_allocation,
                    sum({{ weight }}) over (partition by {{ partition_by }}) as weight_total
                from {{ relation }} as source_rows
            ) as weighted
        ) as shares
    ) as ranked
{%- endmacro %}
