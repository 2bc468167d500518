{#-
    Disputes and holds: the month-end decisions people make, which no source can give back, so
    they live in `commission_ops` (created here, on-run-start; never dropped by any build) as
    append-only event tables, read through the views `dispute_status` and `hold_status`.

    Nobody writes the tables directly: insert, update and delete are revoked from every app role,
    and an update trigger refuses even the owner. Writes go through `security definer` functions
    that check, in the database, who is calling: the role the app switched to with
    `set local role` (`current_setting('role')`; the login's own role when none was set):
    - raise_dispute: a rep or manager viewer for their own lines (or a deal of their own they
      believe is missing); finance for anyone;
    - resolve_dispute, place_hold, release_hold: finance only (not a rep's or manager's viewer
      role), as an accepted dispute and a hold move money.
    The views show a viewer only the reps in their reach (`app_meta.viewer_reps`), finance and
    the pipeline everything. The incentive models read the views (staging
    `stg_commission_ops__*`): an accepted dispute becomes an adjustment line, a hold counter-lines
    (docs/incentives.md, "Disputes" and "Holds").

    It also adds this round's new contract columns to a closed-periods store created before them
    (`create_closed_periods_store` creates them in a new store; dbt never alters an existing one).
-#}
{% macro postgres__commission_ops_disputes() %}
-- One dbt invocation at a time replaces these functions and grants (they collide otherwise).
select pg_advisory_xact_lock(hashtext('spw_commission_ops_disputes'));
create schema if not exists commission_ops;

create sequence if not exists commission_ops.dispute_id_seq;
create table if not exists commission_ops.dispute_events (
    event_id bigint generated always as identity primary key,
    dispute_id bigint not null,
    event_type text not null check (event_type in ('raised', 'accepted', 'rejected')),
    period_start date not null check (period_start = date_trunc('month', period_start)),
    rep_id text not null,
    commission_line_id text,
    deal_id text,
    reason text not null check (btrim(reason) != ''),
    adjustment_amount numeric(18, 2),
    actor text not null,
    actor_role name not null,
    occurred_at timestamptz not null default clock_timestamp(),
    check (event_type != 'accepted' or adjustment_amount is not null)
);
create unique index if not exists dispute_events_one_raise
    on commission_ops.dispute_events (dispute_id) where event_type = 'raised';
create unique index if not exists dispute_events_one_resolution
    on commission_ops.dispute_events (dispute_id) where event_type != 'raised';

create sequence if not exists commission_ops.hold_id_seq;
create table if not exists commission_ops.hold_events (
    event_id bigint generated always as identity primary key,
    hold_id bigint not null,
    event_type text not null check (event_type in ('held', 'released')),
    rep_id text not null,
    deal_id text,
    reason text not null check (btrim(reason) != ''),
    release_period_start date,
    actor text not null,
    actor_role name not null,
    occurred_at timestamptz not null default clock_timestamp()
);
create unique index if not exists hold_events_one_per_type
    on commission_ops.hold_events (hold_id, event_type);

create or replace function commission_ops.refuse_update() returns trigger
language plpgsql
as $refuse$
begin
    raise exception '% is append-only: record a new event instead', tg_table_name;
end
$refuse$;
drop trigger if exists append_only on commission_ops.dispute_events;
create trigger append_only before update on commission_ops.dispute_events
    for each row execute function commission_ops.refuse_update();
drop trigger if exists append_only on commission_ops.hold_events;
create trigger append_only before update on commission_ops.hold_events
    for each row execute function commission_ops.refuse_update();

-- The rep the caller is a viewer of (null for finance, the app and the pipeline); who calls is
-- commission_ops.caller(), defined with the approvals.
create or replace function commission_ops.caller_rep_id() returns text
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
    select viewers.rep_id from app_meta.viewers as viewers
    where viewers.db_role = commission_ops.caller()
$$;

-- Which reps' disputes and holds the caller may read: a viewer those in their reach, anyone
-- else (finance, the pipeline) all.
create or replace function commission_ops.caller_reaches_rep(target_rep_id text) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
    select case
        when commission_ops.caller_rep_id() is null
            and commission_ops.caller() not in ('spw_rep', 'spw_manager') then true
        else exists (
            select from app_meta.viewer_reps as reach
            where reach.db_role = commission_ops.caller() and reach.rep_id = target_rep_id
        )
    end
$$;

create or replace function commission_ops.require_finance(action text) returns void
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
begin
    if not commission_ops.caller_is_finance() then
        raise exception 'only finance may %: role % is not finance', action,
            commission_ops.caller()
            using errcode = 'insufficient_privilege';
    end if;
end
$$;

-- A rep disputes a line of their statement (commission_line_id) or a deal they believe is
-- missing (deal_id, with the period it belongs to). Returns the new dispute's id.
create or replace function commission_ops.raise_dispute(
    target_rep_id text,
    disputed_line_id text,
    missing_deal_id text,
    disputed_period_start date,
    dispute_reason text,
    raised_by text default null
) returns bigint
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
    line_period date;
    new_id bigint;
begin
    if not commission_ops.caller_is_finance()
        and commission_ops.caller_rep_id() is distinct from target_rep_id then
        raise exception 'role % may dispute only its own lines, not those of rep %',
            commission_ops.caller(), target_rep_id
            using errcode = 'insufficient_privilege';
    end if;
    if (disputed_line_id is null) = (missing_deal_id is null) then
        raise exception 'a dispute names either a commission line or a missing deal';
    end if;
    if coalesce(btrim(dispute_reason), '') = '' then
        raise exception 'a dispute needs a reason';
    end if;
    if disputed_line_id is not null then
        select lines.period_start into line_period
        from marts.fct_commission_lines as lines
        where lines.commission_line_id = disputed_line_id and lines.rep_id = target_rep_id;
        if line_period is null then
            raise exception 'commission line % is not a line of rep %',
                disputed_line_id, target_rep_id
                using errcode = 'insufficient_privilege';
        end if;
    elsif disputed_period_start is null then
        raise exception 'a missing deal needs the period it belongs to';
    end if;
    new_id := nextval('commission_ops.dispute_id_seq');
    insert into commission_ops.dispute_events (
        dispute_id, event_type, period_start, rep_id, commission_line_id, deal_id, reason,
        actor, actor_role
    ) values (
        new_id, 'raised',
        coalesce(line_period, date_trunc('month', disputed_period_start)::date),
        target_rep_id, disputed_line_id, missing_deal_id, btrim(dispute_reason),
        coalesce(raised_by, commission_ops.caller()), commission_ops.caller()
    );
    return new_id;
end
$$;

-- Finance accepts (with the amount owed, an adjustment line) or rejects an open dispute.
create or replace function commission_ops.resolve_dispute(
    target_dispute_id bigint,
    accept boolean,
    owed_amount numeric,
    resolution_reason text,
    resolved_by text default null
) returns void
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
    raised commission_ops.dispute_events;
begin
    perform commission_ops.require_finance('resolve a dispute');
    select * into raised from commission_ops.dispute_events
    where dispute_id = target_dispute_id and event_type = 'raised';
    if raised.dispute_id is null then
        raise exception 'no dispute %', target_dispute_id;
    end if;
    if exists (
        select from commission_ops.dispute_events
        where dispute_id = target_dispute_id and event_type != 'raised'
    ) then
        raise exception 'dispute % is already resolved', target_dispute_id;
    end if;
    if coalesce(btrim(resolution_reason), '') = '' then
        raise exception 'a resolution needs a reason';
    end if;
    if accept and (owed_amount is null or owed_amount != round(owed_amount, 2)) then
        raise exception 'accepting dispute % needs the amount owed, in cents', target_dispute_id;
    end if;
    insert into commission_ops.dispute_events (
        dispute_id, event_type, period_start, rep_id, commission_line_id, deal_id, reason,
        adjustment_amount, actor, actor_role
    ) values (
        target_dispute_id, case when accept then 'accepted' else 'rejected' end,
        raised.period_start, raised.rep_id, raised.commission_line_id, raised.deal_id,
        btrim(resolution_reason), case when accept then owed_amount end,
        coalesce(resolved_by, commission_ops.caller()), commission_ops.caller()
    );
end
$$;

-- Finance holds a rep's commission, or only that on one deal. Returns the hold's id.
create or replace function commission_ops.place_hold(
    target_rep_id text,
    held_deal_id text,
    hold_reason text,
    held_by text default null
) returns bigint
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
    new_id bigint;
begin
    perform commission_ops.require_finance('hold commission');
    if coalesce(btrim(hold_reason), '') = '' or target_rep_id is null then
        raise exception 'a hold needs a rep and a reason';
    end if;
    new_id := nextval('commission_ops.hold_id_seq');
    insert into commission_ops.hold_events (
        hold_id, event_type, rep_id, deal_id, reason, actor, actor_role
    ) values (
        new_id, 'held', target_rep_id, held_deal_id, btrim(hold_reason),
        coalesce(held_by, commission_ops.caller()), commission_ops.caller()
    );
    return new_id;
end
$$;

-- Finance releases a hold: its lines pay in their own month while it is open, else in the
-- first open month (recorded as release_period_start: the month after the last closed one).
create or replace function commission_ops.release_hold(
    target_hold_id bigint,
    release_reason text,
    released_by text default null
) returns date
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
    held commission_ops.hold_events;
    first_open date;
begin
    perform commission_ops.require_finance('release a hold');
    select * into held from commission_ops.hold_events
    where hold_id = target_hold_id and event_type = 'held';
    if held.hold_id is null then
        raise exception 'no hold %', target_hold_id;
    end if;
    if exists (
        select from commission_ops.hold_events
        where hold_id = target_hold_id and event_type = 'released'
    ) then
        raise exception 'hold % is already released', target_hold_id;
    end if;
    if coalesce(btrim(release_reason), '') = '' then
        raise exception 'a release needs a reason';
    end if;
    select coalesce(
        (max(closed.period_start) + interval '1 month')::date,
        date_trunc('month', current_date)::date
    ) into first_open
    from incentives_closed.closed_periods as closed;
    insert into commission_ops.hold_events (
        hold_id, event_type, rep_id, deal_id, reason, release_period_start, actor, actor_role
    ) values (
        target_hold_id, 'released', held.rep_id, held.deal_id, btrim(release_reason), first_open,
        coalesce(released_by, commission_ops.caller()), commission_ops.caller()
    );
    return first_open;
end
$$;

create or replace view commission_ops.dispute_status as
select
    raised.dispute_id,
    raised.period_start,
    raised.rep_id,
    raised.commission_line_id,
    raised.deal_id,
    raised.reason,
    raised.actor as raised_by,
    raised.occurred_at as raised_at,
    coalesce(resolved.event_type, 'open') as status,
    resolved.reason as resolution_reason,
    resolved.actor as resolved_by,
    resolved.occurred_at as resolved_at,
    resolved.adjustment_amount
from commission_ops.dispute_events as raised
left join commission_ops.dispute_events as resolved
    on raised.dispute_id = resolved.dispute_id and resolved.event_type != 'raised'
where raised.event_type = 'raised' and commission_ops.caller_reaches_rep(raised.rep_id);

create or replace view commission_ops.hold_status as
select
    held.hold_id,
    held.rep_id,
    held.deal_id,
    held.reason,
    held.actor as held_by,
    held.occurred_at as held_at,
    released.actor as released_by,
    released.occurred_at as released_at,
    released.reason as release_reason,
    released.release_period_start,
    case when released.hold_id is null then 'held' else 'released' end as status
from commission_ops.hold_events as held
left join commission_ops.hold_events as released
    on held.hold_id = released.hold_id and released.event_type = 'released'
where held.event_type = 'held' and commission_ops.caller_reaches_rep(held.rep_id);

revoke all on all tables in schema commission_ops from public;
revoke all on all functions in schema commission_ops from public;
revoke insert, update, delete, truncate on commission_ops.dispute_events, commission_ops.hold_events
    from spw_app_reader, spw_finance, spw_manager, spw_rep, spw_app;
grant usage on schema commission_ops to spw_app_reader, spw_app;
grant select on commission_ops.dispute_status, commission_ops.hold_status
    to spw_app_reader, spw_app;
grant execute on function
    commission_ops.caller(),
    commission_ops.caller_rep_id(),
    commission_ops.caller_is_finance(),
    commission_ops.caller_reaches_rep(text),
    commission_ops.require_finance(text),
    commission_ops.raise_dispute(text, text, text, date, text, text),
    commission_ops.resolve_dispute(bigint, boolean, numeric, text, text),
    commission_ops.place_hold(text, text, text, text),
    commission_ops.release_hold(bigint, text, text)
    to spw_app_reader, spw_app;

alter table if exists incentives_closed.commission_lines
    add column if not exists dispute_id bigint,
    add column if not exists adjustment_reason text,
    add column if not exists approved_by text,
    add column if not exists approved_at timestamptz,
    add column if not exists hold_id bigint;
alter table if exists incentives_closed.payouts
    add column if not exists held_amount numeric(18, 2) not null default 0,
    add column if not exists released_amount numeric(18, 2) not null default 0;
{% endmacro %}
