{#
    Who may read the marts, enforced by PostgreSQL itself (see docs/access.md).

    on-run-start: `access_setup()` creates the cluster-wide group roles and the `app_meta` schema
    the row-level security policies read, so every mart's post-hook can refer to them.

    Roles (all NOLOGIN; a deployment gives `spw_app` a password to use it as the app's login):
    - spw_app_reader: usage on `marts` and select on every mart (row-level security still applies);
    - spw_finance: reads every row;
    - spw_manager / spw_rep: groups of the per-person viewer roles `spw_v_<hash of rep_id>`,
      which read only the rows of the reps and teams listed for them in `app_meta.viewer_reps`
      and `app_meta.viewer_teams`;
    - spw_app: the app's connection role; NOINHERIT, so it reads nothing until it switches
      (`set local role`) to the viewer who is signed in.
#}
{% macro postgres__access_setup() %}
do $access_setup$
declare
    group_role text;
begin
    -- One dbt invocation at a time changes roles: concurrent grants collide in the catalogue.
    -- It holds within this database only: another database's build changing the same roles
    -- at that moment is waited out by running the role statements again (roles_retried).
    perform pg_advisory_xact_lock(hashtext('spw_access_setup'));
    {% call roles_retried() -%}
    foreach group_role in array array['spw_app_reader', 'spw_finance', 'spw_manager', 'spw_rep']
    loop
        if not exists (select from pg_roles where rolname = group_role) then
            execute format('create role %I nologin', group_role);
        end if;
    end loop;
    if not exists (select from pg_roles where rolname = 'spw_app') then
        create role spw_app nologin noinherit;
    end if;
    grant spw_app_reader to spw_finance, spw_manager, spw_rep;
    grant spw_finance to spw_app;
    {%- endcall %}
end
$access_setup$;

create schema if not exists app_meta;
create table if not exists app_meta.viewers (
    db_role name primary key,
    rep_id text not null unique,
    viewer_role text not null
);
-- A viewer reads a rep's rows dated within one of the viewer's periods for that rep: always for
-- themselves (-infinity to infinity), for a manager the rep's assignment periods on their teams.
create table if not exists app_meta.viewer_reps (
    db_role name not null,
    rep_id text not null,
    valid_from date not null default '-infinity',
    valid_to date not null default 'infinity',
    primary key (db_role, rep_id, valid_from)
);
do $viewer_periods$
begin
    -- a warehouse built before the periods: give the table its period columns and key
    if not exists (
        select from pg_attribute
        where attrelid = 'app_meta.viewer_reps'::regclass and attname = 'valid_from'
    ) then
        alter table app_meta.viewer_reps
            add column valid_from date not null default '-infinity',
            add column valid_to date not null default 'infinity',
            drop constraint viewer_reps_pkey,
            add primary key (db_role, rep_id, valid_from);
    end if;
end
$viewer_periods$;
create table if not exists app_meta.viewer_teams (
    db_role name not null,
    team_id text not null,
    primary key (db_role, team_id)
);
create table if not exists app_meta.viewer_deals (
    db_role name not null,
    deal_id text not null,
    primary key (db_role, deal_id)
);
create table if not exists app_meta.refreshes (
    invocation_id text primary key,
    finished_at timestamptz not null,
    nodes_ok integer not null,
    nodes_failed integer not null
);
create table if not exists app_meta.check_results (
    invocation_id text not null,
    unique_id text not null,
    resource_type text not null,
    status text not null,
    failures bigint,
    message text,
    finished_at timestamptz not null,
    primary key (invocation_id, unique_id)
);

alter table app_meta.viewer_reps enable row level security;
alter table app_meta.viewer_teams enable row level security;
alter table app_meta.viewer_deals enable row level security;
drop policy if exists own_rows on app_meta.viewer_reps;
create policy own_rows on app_meta.viewer_reps for select to spw_manager, spw_rep
    using (db_role = current_user);
drop policy if exists own_rows on app_meta.viewer_teams;
create policy own_rows on app_meta.viewer_teams for select to spw_manager, spw_rep
    using (db_role = current_user);
drop policy if exists own_rows on app_meta.viewer_deals;
create policy own_rows on app_meta.viewer_deals for select to spw_manager, spw_rep
    using (db_role = current_user);

revoke all on all tables in schema app_meta from public;
grant usage on schema app_meta to spw_app_reader, spw_app;
grant select on app_meta.viewer_reps, app_meta.viewer_teams, app_meta.viewer_deals
    to spw_manager, spw_rep;
grant select on app_meta.refreshes, app_meta.check_results to spw_app_reader, spw_app;
grant select on app_meta.viewers to spw_app;
-- Once per invocation, not in the marts' post-hooks: marts built in parallel would race on the
-- schema's catalogue row ("tuple concurrently updated").
create schema if not exists marts;
grant usage on schema marts to spw_app_reader;

{{ access_create_protect_function() }}
{{ access_create_refresh_viewers_function() }}
{% endmacro %}
