{#
    Post-hook of every mart: grant it to the app reader and attach its row-level security,
    inside the transaction that swaps the rebuilt table in, so no build leaves a mart readable
    without its policies. The work is done by `app_meta.protect_mart(regclass)` (created by
    `access_setup()`), which the write-audit-publish step also calls for the tables it copies into
    `marts`, and on-run-end calls for every mart. It touches only its own table: marts built in
    parallel never write the same catalogue row (the schema grant is on-run-start's).
#}
{% macro access_protect() %}
select app_meta.protect_mart('{{ this }}'::regclass);
{% endmacro %}


{#
    Which rows a manager or rep sees follows the mart's columns:
    - `rep_id`: rows of the reps listed for the viewer (themselves; a manager also their reps);
    - `team_id`: rows of the teams the viewer manages;
    - `scope_type` / `scope_id`: rep- and team-scoped rows as above;
    - only `deal_id` (e.g. stage history): rows of the deals the viewer sees in `fct_deals`
      (`app_meta.viewer_deals`, so no policy depends on another mart's table);
    - none of these: dimensions (`dim_*`) are reference data everyone reads; facts are finance's.
    A row matching any listed column is visible. Finance reads every row. Views run with the
    reader's rights (`security_invoker`), so the policies of the tables under them apply.
#}
{% macro access_create_protect_function() %}
create or replace function app_meta.protect_mart(target regclass) returns void
language plpgsql
as $protect$
declare
    relation_kind "char";
    relation_name text;
    columns text[];
    scopes text[] := '{}';
    visible_reps constant text :=
        '(select v.rep_id from app_meta.viewer_reps as v where v.db_role = current_user)';
    visible_teams constant text :=
        '(select v.team_id from app_meta.viewer_teams as v where v.db_role = current_user)';
begin
    select c.relkind, c.relname
    into relation_kind, relation_name
    from pg_class as c
    where c.oid = target;
    select array_agg(lower(a.attname::text))
    into columns
    from pg_attribute as a
    where a.attrelid = target and a.attnum > 0 and not a.attisdropped;

    execute format('grant select on %s to spw_app_reader', target);
    if relation_kind = 'v' then
        execute format('alter view %s set (security_invoker = true)', target);
        return;
    end if;

    if 'rep_id' = any(columns) then
        scopes := scopes || ('rep_id in ' || visible_reps);
    end if;
    if 'team_id' = any(columns) then
        scopes := scopes || ('team_id in ' || visible_teams);
    end if;
    if 'scope_type' = any(columns) and 'scope_id' = any(columns) then
        scopes := scopes || ('(scope_type = ''rep'' and scope_id in ' || visible_reps || ')');
        scopes := scopes || ('(scope_type = ''team'' and scope_id in ' || visible_teams || ')');
    end if;
    if cardinality(scopes) = 0 and 'deal_id' = any(columns) then
        scopes := scopes || (
            'deal_id in (select v.deal_id from app_meta.viewer_deals as v'
            || ' where v.db_role = current_user)'
        );
    end if;
    if cardinality(scopes) = 0 and relation_name like 'dim\_%' then
        scopes := array['true'];
    end if;

    execute format('alter table %s enable row level security', target);
    execute format('drop policy if exists spw_finance_reads_all on %s', target);
    execute format(
        'create policy spw_finance_reads_all on %s for select to spw_finance using (true)', target
    );
    execute format('drop policy if exists spw_viewer_scope on %s', target);
    if cardinality(scopes) > 0 then
        execute format(
            'create policy spw_viewer_scope on %s for select to spw_manager, spw_rep using (%s)',
            target,
            array_to_string(scopes, ' or ')
        );
    end if;
end
$protect$;
{% endmacro %}
