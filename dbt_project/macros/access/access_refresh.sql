{#
    on-run-end: re-protect every mart (now that all exist, policies may refer to any), bring the
    viewers in line with `marts.dim_reps`, expose the loads' history to the app and record this
    invocation's results, so the app can invalidate its cache and say how
    fresh and how healthy the marts are.

    Every rep gets a viewer role `spw_v_<first 16 hex digits of md5(rep_id)>`, a member of
    `spw_manager` when they manage anyone (some rep's `manager_rep_id` names them) or their role is
    `manager`, else of `spw_rep`. A viewer sees themselves at any date; a manager also the reps
    whose `manager_rep_id` is them for the dates of those assignment periods only (a rep who
    moves to another manager's team takes their later figures with them), and those teams.
#}
{% macro postgres__access_refresh(results) %}
select app_meta.protect_mart(c.oid)
from pg_class as c
where c.relnamespace = to_regnamespace('marts') and c.relkind in ('r', 'p', 'v');
select app_meta.refresh_viewers();
{{ access_refresh_health_views() }}
{{ access_record_results(results) }}
{% endmacro %}


{#
    `app_meta.refresh_viewers()` (created by `access_setup()`, called by on-run-end): a function
    rather than an inline block so a test can re-derive the viewers after changing the org.
#}
{% macro access_create_refresh_viewers_function() %}
create or replace function app_meta.refresh_viewers() returns void
language plpgsql
as $access_viewers$
declare
    viewer record;
begin
    perform pg_advisory_xact_lock(hashtext('spw_access_setup'));
    if to_regclass('marts.dim_reps') is null then
        raise notice 'access: marts.dim_reps does not exist yet; no viewer roles to refresh';
        return;
    end if;
    drop table if exists pg_temp.access_viewers;
    create temporary table access_viewers on commit drop as
    with reps as (
        select distinct rep_id, role, team_id, manager_rep_id from marts.dim_reps
    ),
    viewers as (
        select
            rep_id,
            case
                when bool_or(role = 'manager')
                    or rep_id in (select manager_rep_id from reps where manager_rep_id is not null)
                    then 'manager'
                else 'rep'
            end as viewer_role
        from reps
        group by rep_id
    )
    select
        'spw_v_' || substr(md5(rep_id), 1, 16) as db_role,
        rep_id,
        viewer_role
    from viewers;

    {% call roles_retried() -%}
    for viewer in select * from access_viewers loop
        if not exists (select from pg_roles where rolname = viewer.db_role) then
            execute format('create role %I nologin', viewer.db_role);
        end if;
        execute format(
            'grant %I to %I',
            case viewer.viewer_role when 'manager' then 'spw_manager' else 'spw_rep' end,
            viewer.db_role
        );
        execute format(
            'revoke %I from %I',
            case viewer.viewer_role when 'manager' then 'spw_rep' else 'spw_manager' end,
            viewer.db_role
        );
        execute format('grant %I to spw_app', viewer.db_role);
    end loop;
    {%- endcall %}

    delete from app_meta.viewers;
    insert into app_meta.viewers (db_role, rep_id, viewer_role)
    select db_role, rep_id, viewer_role from access_viewers;

    delete from app_meta.viewer_reps;
    insert into app_meta.viewer_reps (db_role, rep_id, valid_from, valid_to)
    select v.db_role, v.rep_id, '-infinity'::date, 'infinity'::date from access_viewers as v
    union
    select v.db_role, r.rep_id, r.valid_from, coalesce(r.valid_to, 'infinity'::date)
    from access_viewers as v
    inner join marts.dim_reps as r on r.manager_rep_id = v.rep_id;

    delete from app_meta.viewer_teams;
    insert into app_meta.viewer_teams (db_role, team_id)
    select distinct v.db_role, r.team_id
    from access_viewers as v
    inner join marts.dim_reps as r on r.manager_rep_id = v.rep_id
    where r.team_id is not null;

    -- A viewer's deals: one row per viewer and deal seen (451,356 at bench scale L). Only what
    -- changed is written: rewriting them all took 3.7 s of every build and left as many dead rows.
    drop table if exists pg_temp.access_viewer_deals;
    create temporary table access_viewer_deals (db_role name, deal_id text) on commit drop;
    if to_regclass('marts.fct_deals') is not null then
        insert into access_viewer_deals (db_role, deal_id)
        select reps.db_role, deals.deal_id
        from marts.fct_deals as deals
        inner join app_meta.viewer_reps as reps
            on
                deals.rep_id = reps.rep_id
                -- the deal's row date in `protect_mart` (closed, else today)
                and coalesce(deals.closed_date, current_date) >= reps.valid_from
                and coalesce(deals.closed_date, current_date) < reps.valid_to
        union
        select teams.db_role, deals.deal_id
        from marts.fct_deals as deals
        inner join app_meta.viewer_teams as teams on deals.team_id = teams.team_id;
    end if;
    analyze access_viewer_deals;
    delete from app_meta.viewer_deals as seen
    where not exists (
        select from access_viewer_deals as wanted
        where wanted.db_role = seen.db_role and wanted.deal_id = seen.deal_id
    );
    insert into app_meta.viewer_deals (db_role, deal_id)
    select wanted.db_role, wanted.deal_id
    from access_viewer_deals as wanted
    where not exists (
        select from app_meta.viewer_deals as seen
        where seen.db_role = wanted.db_role and seen.deal_id = wanted.deal_id
    );
end
$access_viewers$;
{% endmacro %}


{% macro access_refresh_health_views() %}
do $access_loads$
declare
    loads_sql text;
    files_sql text;
begin
    perform pg_advisory_xact_lock(hashtext('spw_access_setup'));
    select string_agg(
        format(
            'select %L::text as source_schema, load_id::text as load_id, status::bigint as status,'
            ' inserted_at::timestamptz as inserted_at from %I._dlt_loads',
            table_schema,
            table_schema
        ),
        ' union all '
        order by table_schema
    )
    into loads_sql
    from information_schema.tables
    where table_name = '_dlt_loads';
    drop view if exists app_meta.source_loads;
    execute 'create view app_meta.source_loads as '
        || coalesce(
            loads_sql,
            'select null::text as source_schema, null::text as load_id, null::bigint as status,'
            ' null::timestamptz as inserted_at where false'
        );
    grant select on app_meta.source_loads to spw_finance;

    -- Per export file version, what became of its rows (ingestion/sources/tabular_files.py):
    -- read = loaded + rejected + merged, from every raw schema that keeps the counts.
    select string_agg(
        format(
            'select %L::text as source_schema, source_file::text as source_file,'
            ' content_hash::text as content_hash, loaded_at::timestamptz as loaded_at,'
            ' rows_read::bigint as rows_read, rows_loaded::bigint as rows_loaded,'
            ' rows_rejected::bigint as rows_rejected, rows_merged::bigint as rows_merged'
            ' from %I.file_reconciliation',
            table_schema,
            table_schema
        ),
        ' union all '
        order by table_schema
    )
    into files_sql
    from information_schema.tables
    -- the raw schemas' own tables only: not this view, nor dlt's `*_staging` copies
    where
        table_name = 'file_reconciliation'
        and table_type = 'BASE TABLE'
        and table_schema like 'raw\_%'
        and table_schema not like '%\_staging';
    drop view if exists app_meta.file_reconciliation;
    execute 'create view app_meta.file_reconciliation as '
        || coalesce(
            files_sql,
            'select null::text as source_schema, null::text as source_file,'
            ' null::text as content_hash, null::timestamptz as loaded_at,'
            ' null::bigint as rows_read, null::bigint as rows_loaded,'
            ' null::bigint as rows_rejected, null::bigint as rows_merged where false'
        );
    grant select on app_meta.file_reconciliation to spw_finance;

    -- The Great Expectations validations the orchestration keeps (orchestration/defs/quality):
    -- summaries only, which every viewer may read to know whether the data is stale.
    drop view if exists app_meta.quality_results;
    if to_regclass('quality.validation_results') is not null then
        create view app_meta.quality_results as
        select
            suite_name, table_schema, table_name, is_success, evaluated_expectations,
            successful_expectations, row_count, validated_at
        from quality.validation_results;
    else
        create view app_meta.quality_results as
        select
            null::text as suite_name, null::text as table_schema, null::text as table_name,
            null::boolean as is_success, null::integer as evaluated_expectations,
            null::integer as successful_expectations, null::bigint as row_count,
            null::timestamptz as validated_at
        where false;
    end if;
    grant select on app_meta.quality_results to spw_app_reader;
end
$access_loads$;
{% endmacro %}


{% macro access_record_results(results) %}
{%- set failed = results | selectattr("status", "in", ["error", "fail", "runtime error"]) | list -%}
insert into app_meta.refreshes (invocation_id, finished_at, nodes_ok, nodes_failed)
values ('{{ invocation_id }}', now(), {{ results | length - failed | length }}, {{ failed | length }})
on conflict (invocation_id) do nothing;
{% for result in results if result.node.resource_type in ("test", "unit_test") %}
{%- if loop.first %}
insert into app_meta.check_results
    (invocation_id, unique_id, resource_type, status, failures, message, finished_at)
values
{%- endif %}
    (
        '{{ invocation_id }}',
        '{{ result.node.unique_id | replace("'", "''") }}',
        '{{ result.node.resource_type }}',
        '{{ result.status }}',
        {{ result.failures if result.failures is not none else "null" }},
        {% if result.message %}'{{ (result.message | string)[:500] | replace("'", "''") }}'{% else %}null{% endif %},
        now()
    ){{ "," if not loop.last else "\non conflict do nothing;" }}
{%- endfor %}
{% endmacro %}
