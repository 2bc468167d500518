{#-
    The closed-periods store: the schema the period-close job freezes lines, payouts and points
    into. dbt only creates it (on-run-start) and reads it as a source; nothing drops or rewrites
    it, so a rebuild from scratch still reads every closed figure back. The columns mirror the
    contracts of fct_commission_lines, fct_payouts and fct_incentive_points.
-#}
{% macro create_closed_periods_store() -%}
    create schema if not exists incentives_closed;
    create table if not exists incentives_closed.closed_periods (
        period_start date primary key,
        closed_at timestamptz not null,
        closed_by text not null
    );
    create table if not exists incentives_closed.commission_lines (
        commission_line_id text primary key,
        rep_id text not null,
        period_start date not null references incentives_closed.closed_periods,
        source_type text not null,
        source_id text not null,
        source_date date,
        plan_id text,
        plan_version integer,
        rule text not null,
        payout_component text not null,
        basis_amount numeric(18, 2) not null,
        rate numeric(12, 6) not null,
        amount numeric(18, 2) not null,
        amount_currency text not null,
        adjusts_period_start date
    );
    create table if not exists incentives_closed.payouts (
        rep_id text not null,
        period_start date not null references incentives_closed.closed_periods,
        plan_id text,
        plan_version integer,
        payout_currency text not null,
        gross_commission_amount numeric(18, 2) not null,
        bonus_amount numeric(18, 2) not null,
        clawback_amount numeric(18, 2) not null,
        draw_amount numeric(18, 2) not null,
        recovery_amount numeric(18, 2) not null,
        adjustment_amount numeric(18, 2) not null,
        net_payout_amount numeric(18, 2) not null,
        points integer not null,
        line_count integer not null,
        primary key (rep_id, period_start)
    );
    create table if not exists incentives_closed.incentive_points (
        rep_id text not null,
        period_start date not null references incentives_closed.closed_periods,
        reason text not null,
        plan_id text not null,
        plan_version integer not null,
        metric_value integer not null,
        threshold integer not null,
        points integer not null,
        primary key (rep_id, period_start, reason)
    )
{%- endmacro %}
