{#-
    Incremental by order, on the dlt load cursor (delete+insert on `order_id`). An order's row is
    rebuilt when a change reaches it; the cascade of this model:
    - the order came in a new load (status, rep, date, customer...);
    - one of its lines did: `int_order_lines_enriched`'s load id is the newest of the line, the
      order, its refunds and the FX rate of its day;
    - the FX rate of its day was corrected (an order without lines is worth 0 at that rate);
    - it is, or was when built, the first completed order of a customer one of whose orders
      changed or moved to or from it (`is_first_order` ranks the customer's completed orders;
      the customer's other orders keep their flag, so they are not rebuilt);
    - the team it is credited to changed (an org file changed an assignment or a team's region):
      the org files carry no load id, so the team of every built rep-day is looked up again and
      compared with the built orders of that day (a join on the small org table; no line sums).
    A row rebuilt because another order of its customer changed (its first order, before or after
    the change) takes the newest load of the run as its `_dlt_load_id`, so `fct_orders` copies
    it; rows whose team alone changed keep theirs (`fct_orders` compares the teams itself).
-#}
{{
    config(
        materialized=incremental_materialization(),
        unique_key='order_id',
        incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
        indexes=[
            {'columns': ['order_id']},
            {'columns': ['customer_id']},
        ],
    )
}}

{#- A customer's completed orders in order: the first is its first order (`is_first_order`). -#}
{%- set completed_order_number -%}
row_number() over (partition by orders.customer_id order by orders.ordered_at, orders.order_id)
{%- endset %}

with

orders as {{ cte_inlined() }} (
    select * from {{ ref('stg_orders__orders') }}
),

order_lines as {{ cte_inlined() }} (
    select * from {{ ref('int_order_lines_enriched') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

{% if is_incremental() %}
cutoff as (
    {{ incremental_load_cursor() }}
),

changed_inputs as (
    select
        orders.order_id,
        cast(orders._dlt_load_id as {{ type_exact_numeric() }}) as load_id
    from orders
    cross join cutoff
    where {{ loaded_after_cursor('orders') }}
    union all
    select
        order_lines.order_id,
        cast(order_lines._dlt_load_id as {{ type_exact_numeric() }}) as load_id
    from order_lines
    cross join cutoff
    where {{ loaded_after_cursor('order_lines') }}
    union all
    select
        orders.order_id,
        cast(fx_rates._dlt_load_id as {{ type_exact_numeric() }}) as load_id
    from orders
    inner join fx_rates
        on
            orders.order_currency = fx_rates.currency
            and orders.order_date = fx_rates.rate_date
    cross join cutoff
    where {{ loaded_after_cursor('fx_rates') }}
),

run_load as (
    select max(load_id) as load_id
    from changed_inputs
),

{# The team is a function of the rep and the day: looked up once per built rep-day (about
    5% of the orders at bench scale L), then compared with every built order of that day. An
    order whose rep or date changed is rebuilt as a changed input anyway. #}
built_rep_days as (
    select distinct
        built.rep_id,
        built.order_date
    from {{ this }} as built
),

rep_day_teams as (
    {{ assign_teams_on_date('built_rep_days', ['rep_id', 'order_date'], 'rep_id', 'order_date') }}
),

reassigned_orders as (
    select built.order_id
    from {{ this }} as built
    left join rep_day_teams
        on
            built.rep_id = rep_day_teams.rep_id
            and built.order_date = rep_day_teams.order_date
    where
        coalesce(built.team_id, '') != coalesce(rep_day_teams.team_id, '')
        or coalesce(built.region_id, '') != coalesce(rep_day_teams.region_id, '')
),

changed_customers as (
    select orders.customer_id
    from orders
    where orders.order_id in (select changed_inputs.order_id from changed_inputs)
    union
    select built.customer_id
    from {{ this }} as built
    where built.order_id in (select changed_inputs.order_id from changed_inputs)
),

{# The first completed order of each changed customer now, and the orders built as first. #}
first_orders_of_changed_customers as (
    select ranked_orders.order_id
    from (
        select
            orders.order_id,
            {{ completed_order_number }} as completed_order_number
        from orders
        where
            orders.status = 'completed'
            and orders.customer_id in (select changed_customers.customer_id from changed_customers)
    ) as ranked_orders
    where ranked_orders.completed_order_number = 1
    union
    select built.order_id
    from {{ this }} as built
    where
        built.is_first_order
        and built.customer_id in (select changed_customers.customer_id from changed_customers)
),

rebuilt_orders as (
    select orders.order_id
    from orders
    where
        orders.order_id in (select changed_inputs.order_id from changed_inputs)
        or orders.order_id in (
            select first_orders_of_changed_customers.order_id
            from first_orders_of_changed_customers
        )
        or orders.order_id in (select reassigned_orders.order_id from reassigned_orders)
),
{% endif %}

{#- The orders this run builds: all of them, or (incremental) those a change reached. #}
scoped_orders as (
    select orders.*
    from orders
    {% if is_incremental() -%}
    where orders.order_id in (select rebuilt_orders.order_id from rebuilt_orders)
    {%- endif %}
),

line_totals as (
    select
        order_id,
        count(*) as line_count,
        sum(gross_amount) as gross_amount,
        sum(refunded_amount) as refunded_amount,
        sum(gross_reporting_amount) as gross_reporting_amount,
        sum(refunded_reporting_amount) as refunded_reporting_amount,
        max(last_refund_date) as last_refund_date,
        max(cast(_dlt_load_id as {{ type_exact_numeric() }})) as lines_load_id
    from order_lines
    where order_id in (select scoped_orders.order_id from scoped_orders)
    group by order_id
),

{# An order without lines is worth 0 in both currencies (null reporting amounts: no FX rate). #}
order_totals as (
    select
        orders.order_id,
        coalesce(line_totals.line_count, 0) as line_count,
        coalesce(line_totals.gross_amount, 0) as gross_amount,
        coalesce(line_totals.refunded_amount, 0) as refunded_amount,
        case
            when line_totals.order_id is not null then line_totals.gross_reporting_amount
            when fx_rates.fx_rate is not null then 0
        end as gross_reporting_amount,
        case
            when line_totals.order_id is not null then line_totals.refunded_reporting_amount
            when fx_rates.fx_rate is not null then 0
        end as refunded_reporting_amount,
        line_totals.last_refund_date,
        line_totals.lines_load_id,
        fx_rates.fx_rate,
        fx_rates._dlt_load_id as fx_load_id
    from scoped_orders as orders
    left join line_totals
        on orders.order_id = line_totals.order_id
    left join fx_rates
        on
            orders.order_currency = fx_rates.currency
            and orders.order_date = fx_rates.rate_date
),

credited_teams as (
    {{ assign_teams_on_date('scoped_orders', ['order_id'], 'owner_id', 'order_date') }}
),

first_orders as (
    select
        orders.order_id,
        {{ completed_order_number }} as completed_order_number
    from orders
    where
        orders.status = 'completed'
        {% if is_incremental() -%}
        and orders.customer_id in (select scoped_orders.customer_id from scoped_orders)
        {%- endif %}
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.owner_id as rep_id,
        credited_teams.team_id,
        credited_teams.region_id,
        orders.deal_id,
        orders.ordered_at,
        orders.order_date,
        orders.status,
        orders.status = 'cancelled' as is_cancelled,
        coalesce(first_orders.completed_order_number = 1, false) as is_first_order,
        orders.order_currency,
        cast(order_totals.line_count as integer) as line_count,
        cast(order_totals.gross_amount as numeric(18, 2)) as gross_amount,
        cast(order_totals.refunded_amount as numeric(18, 2)) as refunded_amount,
        cast(order_totals.gross_amount - order_totals.refunded_amount as numeric(18, 2))
            as net_amount,
        order_totals.last_refund_date,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
        cast(order_totals.fx_rate as numeric(18, 8)) as fx_rate,
        cast(order_totals.gross_reporting_amount as numeric(18, 2)) as gross_reporting_amount,
        cast(order_totals.refunded_reporting_amount as numeric(18, 2))
            as refunded_reporting_amount,
        cast(
            order_totals.gross_reporting_amount - order_totals.refunded_reporting_amount
            as numeric(18, 2)
        ) as net_reporting_amount,
        orders.source_system,
        {{ newest_load_id([
            'orders._dlt_load_id',
            'coalesce(order_totals.lines_load_id, 0)',
            "coalesce(order_totals.fx_load_id, '0')",
        ] + (['coalesce(run_load.load_id, 0)'] if is_incremental() else [])) }} as _dlt_load_id
    from scoped_orders as orders
    {% if is_incremental() -%}
    cross join run_load
    {%- endif %}
    inner join order_totals
        on orders.order_id = order_totals.order_id
    left join credited_teams
        on orders.order_id = credited_teams.order_id
    left join first_orders
        on orders.order_id = first_orders.order_id
)

select * from final
