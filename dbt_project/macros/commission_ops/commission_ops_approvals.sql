{#
    Month-end approvals and close requests (docs/month-end.md), created by on-run-start.

    `commission_ops` holds what finance and the managers decide, which no source can give back:
    it is never dropped or rewritten by a build. Its tables are append-only for the app: the
    app's roles have no insert, update or delete on them and write only through the
    `security definer` functions below, which check who calls (the role the app switched to
    with `set local role`, else the session's login) and what that caller reaches
    (`app_meta.viewer_teams`, membership of `spw_finance`).

    - `approvals`: one row per approval: who (database role and login name), when, the scope
      (a team, by its manager, or the company, by finance), the month, and the figures approved
      (net amount per currency, line count, a digest of every line's id and amount);
    - `approval_status` (view): each approval against the month's current lines: `valid` while
      the digest is unchanged, `void` once any line of its scope changed, appeared or went;
    - `close_checklist(period)`: the approvals the close needs (dbt var
      `month_end_required_approvals`) and whether each is there and valid;
    - `close_requests` and `close_request_events`: finance's "Close month" and what the
      orchestration did with it (the sensor `close_requested_periods` launches the same job as
      `make close-period`); `close_request_status` (view) is each request's latest state.

    The functions read the marts whatever the caller's row-level security lets them read (they
    run as their owner, the user dbt runs as), so a manager's approval covers every line of their
    team, and they return or store nothing beyond the caller's reach.
#}
{% macro postgres__commission_ops_approvals() %}
{%- set required = var('month_end_required_approvals', ['manager', 'finance']) %}
{%- for kind in required if kind not in ['manager', 'finance'] %}
    {{ exceptions.raise_compiler_error(
        "dbt var month_end_required_approvals: '" ~ kind ~ "' is not an approval; list any of"
        ~ " 'manager' (every team manager approves their team) and 'finance' (finance approves"
        ~ " the month), e.g. ['manager', 'finance'], or [] to close without approvals"
    ) }}
{%- endfor %}
create schema if not exists commission_ops;
-- the functions read marts a first build has not made yet: check their bodies when called
set check_function_bodies = off;

create table if not exists commission_ops.approvals (
    approval_id bigint generated always as identity primary key,
    period_start date not null check (period_start = date_trunc('month', period_start)::date),
    scope_type text not null check (scope_type in ('team', 'company')),
    scope_id text not null,
    approved_by_role name not null,
    approved_by text not null,
    approved_at timestamptz not null default now(),
    net_amounts jsonb not null,
    line_count integer not null,
    lines_digest text not null
);
create table if not exists commission_ops.close_requests (
    request_id bigint generated always as identity primary key,
    period_start date not null check (period_start = date_trunc('month', period_start)::date),
    requested_by_role name not null,
    requested_by text not null,
    requested_at timestamptz not null default now()
);
create table if not exists commission_ops.close_request_events (
    request_id bigint not null references commission_ops.close_requests,
    status text not null check (status in ('launched', 'closed', 'failed')),
    recorded_at timestamptz not null default now(),
    run_id text,
    message text
);

-- Who calls: the role the app switched to (`set local role`), else the login. Inside a
-- security definer function current_user is the owner, but the `role` setting is the caller's.
create or replace function commission_ops.caller() returns name
language sql stable
as $$
    select case current_setting('role')
        when 'none' then session_user
        else current_setting('role')::name
    end
$$;

create or replace function commission_ops.caller_is_finance() returns boolean
language sql stable
as $$ select pg_has_role(commission_ops.caller(), 'spw_finance', 'usage') $$;

-- Finance reaches every scope; a manager their teams (app_meta.viewer_teams); a rep none.
create or replace function commission_ops.caller_reaches(scope_type text, scope_id text)
returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
    select commission_ops.caller_is_finance()
        or (
            scope_type = 'team'
            and exists (
                select from app_meta.viewer_teams as v
                where v.db_role = commission_ops.caller() and v.team_id = scope_id
            )
        )
$$;

-- The month's configured approvals: the dbt var, compiled in by the latest build.
create or replace function commission_ops.required_approvals() returns text[]
language sql immutable
as $$ select array[{% for kind in required %}'{{ kind }}'{{ ", " if not loop.last }}{% endfor %}]::text[] $$;

-- Every line of the month with the team of the rep's month, as the mart carries it
-- (`fct_commission_lines.team_id`: the one rule, written in `int_rep_periods_teamed`).
create or replace function commission_ops.period_lines(period date)
returns table (
    commission_line_id text, rep_id text, team_id text, amount numeric, amount_currency text
)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
    select l.commission_line_id, l.rep_id, l.team_id, l.amount, l.amount_currency
    from marts.fct_commission_lines as l
    where l.period_start = period
$$;

-- What an approval of a scope covers now: net per currency, line count, digest of the lines.
-- Nothing (null figures) for a scope beyond the caller's reach.
create or replace function commission_ops.scope_figures(
    period date, scope_type text, scope_id text
)
returns table (net_amounts jsonb, line_count integer, lines_digest text)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
    with lines as (
        select * from commission_ops.period_lines(period) as l
        where scope_type = 'company' or (scope_type = 'team' and l.team_id = scope_id)
    ),
    by_currency as (
        select amount_currency, sum(amount) as net_amount from lines group by amount_currency
    )
    select
        coalesce((select jsonb_object_agg(amount_currency, net_amount) from by_currency), '{}'),
        (select count(*)::integer from lines),
        md5(coalesce((
            select string_agg(
                commission_line_id || '=' || amount::text || ' ' || amount_currency, ','
                order by commission_line_id
            )
            from lines
        ), ''))
    where commission_ops.caller_reaches(scope_type, scope_id)
$$;

create or replace function commission_ops.approve(
    period date, scope_type text, scope_id text, approved_by text, reviewed_digest text default null
) returns bigint
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
    who name := commission_ops.caller();
    figures record;
    new_id bigint;
begin
    if scope_type = 'company' and not commission_ops.caller_is_finance() then
        raise exception 'role % cannot approve the month %: only finance approves the month',
            who, to_char(period, 'YYYY-MM') using errcode = 'insufficient_privilege';
    end if;
    if scope_type = 'team' and not exists (
        select from app_meta.viewer_teams as v where v.db_role = who and v.team_id = scope_id
    ) then
        raise exception 'role % cannot approve team %: a team is approved by its manager',
            who, scope_id using errcode = 'insufficient_privilege';
    end if;
    if scope_type not in ('team', 'company') then
        raise exception 'scope_type must be team or company, not %', scope_type;
    end if;
    if exists (select from incentives_closed.closed_periods as c where c.period_start = period) then
        raise exception 'month % is closed: nothing to approve', to_char(period, 'YYYY-MM');
    end if;
    select * into figures from commission_ops.scope_figures(period, scope_type, scope_id);
    if figures.line_count = 0 then
        raise exception 'no commission lines for % in %: nothing to approve',
            scope_id, to_char(period, 'YYYY-MM');
    end if;
    if reviewed_digest is not null and reviewed_digest <> figures.lines_digest then
        raise exception 'the figures of % in % changed since they were reviewed: review again',
            scope_id, to_char(period, 'YYYY-MM');
    end if;
    insert into commission_ops.approvals (
        period_start, scope_type, scope_id, approved_by_role, approved_by,
        net_amounts, line_count, lines_digest
    )
    values (
        period, scope_type, scope_id, who, approved_by,
        figures.net_amounts, figures.line_count, figures.lines_digest
    )
    returning approval_id into new_id;
    return new_id;
end
$$;

create or replace view commission_ops.approval_status as
select
    a.approval_id,
    a.period_start,
    a.scope_type,
    a.scope_id,
    a.approved_by_role,
    a.approved_by,
    a.approved_at,
    a.net_amounts,
    a.line_count,
    a.lines_digest,
    f.net_amounts as current_net_amounts,
    f.line_count as current_line_count,
    case when f.lines_digest = a.lines_digest then 'valid' else 'void' end as status,
    row_number() over (
        partition by a.period_start, a.scope_type, a.scope_id order by a.approval_id desc
    ) = 1 as is_latest
from commission_ops.approvals as a
cross join lateral commission_ops.scope_figures(a.period_start, a.scope_type, a.scope_id) as f
where commission_ops.caller_reaches(a.scope_type, a.scope_id);

-- Every approval the month's close needs, with the latest approval of each and its status
-- (`missing` when there is none): a team approval for every team with lines in the month and a
-- manager, when 'manager' is required; the company's, when 'finance' is.
create or replace function commission_ops.close_checklist(period date)
returns table (
    scope_type text, scope_id text, approval_id bigint, approved_by text,
    approved_at timestamptz, status text
)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
    with needed as (
        select distinct 'team'::text as scope_type, l.team_id as scope_id
        from commission_ops.period_lines(period) as l
        inner join marts.dim_teams as t on t.team_id = l.team_id
        where 'manager' = any(commission_ops.required_approvals())
            and t.manager_rep_id is not null
        union all
        select 'company', 'company'
        where 'finance' = any(commission_ops.required_approvals())
    ),
    latest as (
        select * from commission_ops.approval_status as s
        where s.period_start = period and s.is_latest
    )
    select
        n.scope_type, n.scope_id, l.approval_id, l.approved_by, l.approved_at,
        coalesce(l.status, 'missing')
    from needed as n
    left join latest as l on l.scope_type = n.scope_type and l.scope_id = n.scope_id
    where commission_ops.caller_reaches(n.scope_type, n.scope_id)
    order by n.scope_type desc, n.scope_id
$$;

create or replace view commission_ops.close_request_status as
select
    r.request_id,
    r.period_start,
    r.requested_by_role,
    r.requested_by,
    r.requested_at,
    coalesce(e.status, 'pending') as status,
    e.recorded_at as status_at,
    e.run_id,
    e.message
from commission_ops.close_requests as r
left join lateral (
    select * from commission_ops.close_request_events as ev
    where ev.request_id = r.request_id
    order by ev.recorded_at desc, ev.status = 'launched'
    limit 1
) as e on true;

create or replace function commission_ops.request_close(period date, requested_by text)
returns bigint
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
    who name := commission_ops.caller();
    missing text;
    earlier text;
    new_id bigint;
begin
    if not commission_ops.caller_is_finance() then
        raise exception 'role % cannot close %: only finance closes a month',
            who, to_char(period, 'YYYY-MM') using errcode = 'insufficient_privilege';
    end if;
    -- one request at a time per month: concurrent presses queue here
    perform pg_advisory_xact_lock(hashtext('commission_ops.request_close'));
    if exists (select from incentives_closed.closed_periods as c where c.period_start = period) then
        raise exception 'month % is already closed', to_char(period, 'YYYY-MM');
    end if;
    if exists (
        select from commission_ops.close_request_status as s
        where s.period_start = period and s.status in ('pending', 'launched')
    ) then
        raise exception 'month % has a close request in progress', to_char(period, 'YYYY-MM');
    end if;
    select string_agg(distinct to_char(p.period_start, 'YYYY-MM'), ', ') into earlier
    from marts.fct_payouts as p
    where p.status = 'open' and p.period_start < period
        and p.period_start not in (select c.period_start from incentives_closed.closed_periods as c);
    if earlier is not null then
        raise exception 'cannot close %: earlier month(s) still open (%); months close in order',
            to_char(period, 'YYYY-MM'), earlier;
    end if;
    select string_agg(c.scope_id || ' ' || c.status, ', ') into missing
    from commission_ops.close_checklist(period) as c
    where c.status <> 'valid';
    if missing is not null then
        raise exception 'cannot close %: approvals not valid: %', to_char(period, 'YYYY-MM'), missing;
    end if;
    insert into commission_ops.close_requests (period_start, requested_by_role, requested_by)
    values (period, who, requested_by)
    returning request_id into new_id;
    return new_id;
end
$$;

-- The orchestration's side: what became of a request (launched, closed, failed).
create or replace function commission_ops.record_close_event(
    request bigint, new_status text, run text, note text
) returns void
language sql volatile security definer set search_path = pg_catalog, pg_temp
as $$
    insert into commission_ops.close_request_events (request_id, status, run_id, message)
    values (request, new_status, run, note)
$$;

revoke all on all tables in schema commission_ops from public;
revoke all on all functions in schema commission_ops from public;
grant usage on schema commission_ops to spw_app_reader;
grant select on commission_ops.approval_status, commission_ops.close_request_status
    to spw_app_reader;
grant execute on function
    commission_ops.caller(),
    commission_ops.caller_is_finance(),
    commission_ops.caller_reaches(text, text),
    commission_ops.required_approvals(),
    commission_ops.scope_figures(date, text, text),
    commission_ops.approve(date, text, text, text, text),
    commission_ops.close_checklist(date),
    commission_ops.request_close(date, text)
    to spw_app_reader;
reset check_function_bodies;
{% endmacro %}
