{#-
    Recoverable draws, a sequential carry-forward (each period needs the balance the previous one
    left), written as a PostgreSQL recursive CTE. `periods` has one row per rep and consecutive
    `period_number` (1, 2, 3... per rep) with `is_closed`, `guarantee_amount` (null: no draw),
    `earned_amount` (the period's other lines) and, for closed periods, the frozen
    `closed_draw_amount` and `closed_recovery_amount` (both positive).
      open period:  draw     = guarantee - earned when earned falls short (else 0)
                    recovery = the smaller of the outstanding balance and earned - guarantee
                    (any earnings when the plan no longer guarantees anything)
      closed period: the frozen draw and recovery, so a closed period's balance never moves
    Returns rep_id, period_number, draw_amount, recovery_amount, balance_after_amount.
-#}
{% macro _draw_amount(row) -%}
    case
        when {{ row }}.is_closed then {{ row }}.closed_draw_amount
        else greatest(coalesce({{ row }}.guarantee_amount, 0) - {{ row }}.earned_amount, 0)
    end
{%- endmacro %}

{% macro _recovery_amount(row, balance) -%}
    case
        when {{ row }}.is_closed then {{ row }}.closed_recovery_amount
        else least(
            {{ balance }},
            greatest({{ row }}.earned_amount - coalesce({{ row }}.guarantee_amount, 0), 0)
        )
    end
{%- endmacro %}

{% macro recoverable_draw_carry_forward(periods) -%}
    select
        first_period.rep_id,
        first_period.period_number,
        {{ _draw_amount('first_period') }} as draw_amount,
        {{ _recovery_amount('first_period', '0') }} as recovery_amount,
        {{ _draw_amount('first_period') }} - {{ _recovery_amount('first_period', '0') }}
        as balance_after_amount
    from {{ periods }} as first_period
    where first_period.period_number = 1
    union all
    select
        next_period.rep_id,
        next_period.period_number,
        {{ _draw_amount('next_period') }} as draw_amount,
        {{ _recovery_amount('next_period', 'carried.balance_after_amount') }} as recovery_amount,
        carried.balance_after_amount
        + {{ _draw_amount('next_period') }}
        - {{ _recovery_amount('next_period', 'carried.balance_after_amount') }}
        as balance_after_amount
    from carried
    inner join {{ periods }} as next_period
        on
            carried.rep_id = next_period.rep_id
            and carried.period_number + 1 = next_period.period_number
{%- endmacro %}
