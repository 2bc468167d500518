{#
    Post-hook of every mart: grant it to the app reader and attach its row-level security,
    inside the transaction that swaps the rebuilt table in, so no build leaves a mart readable
    without its policies. The work is done by `app_meta.protect_mart(regclass)` (created by
    `access_setup()`), which the write-audit-publish step also calls for the tables it copies into
    `marts`, and on-run-end calls for every mart. It touches only its own table: marts built in
    parallel never write the same catalogue row (the schema grant is on-run-start's).
#}
{% macro postgres__access_protect() %}
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

    Confidentiality after a team move: a rep's row of a fact is visible to a manager only when the
    row's date falls in one of the rep's assignment periods on that manager's teams
    (`app_meta.viewer_reps.valid_from` inclusive to `valid_to` exclusive; a viewer's own rows
    have no bounds). The row's date is the first of `access_date_columns()` the mart has; a null
    date (an open deal's `closed_date`) or a fact with none of them counts as today, i.e. the
    rep's current manager. Dimensions are not dated: a manager reads the names and teams of every
    rep they ever managed.
#}
{#- The row date of a fact, in this order of preference (the first the mart has). -#}
{% macro access_date_columns() -%}
array['order_date', 'activity_date', 'entry_month', 'month_start', 'period_start', 'closed_date']
{%- endmacro %}

{% macro access_create_protect_function() %}
create or replace function app_meta.protect_mart(target regclass) returns void
language plpgsql
as $protect$
declare
    relation_kind "char";
    relation_name text;
    columns text[];
    scopes text[] := '{}';
    date_columns constant text[] := {{ access_date_columns() }};
    row_date text := 'current_date';
    visible_reps text;
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

    if relation_name like 'dim\_%' then
        row_date := null;
    else
        select format('coalesce(%I.%I, current_date)', relation_name, dated.name)
        into row_date
        from unnest(date_columns) with ordinality as dated (name, position)
        where dated.name = any(columns)
        order by dated.position
        limit 1;
        row_date := coalesce(row_date, 'current_date');
    end if;
    -- `%s`: the row's rep id column, qualified by the table's name (the subquery has its own)
    visible_reps := 'exists (select from app_meta.viewer_reps as v where v.db_role = current_user'
        || ' and v.rep_id = %s'
        || case
            when row_date is null then ''
            else ' and ' || row_date || ' >= v.valid_from and ' || row_date || ' < v.valid_to'
        end
        || ')';

    if 'rep_id' = any(columns) then
        scopes := scopes || format(visible_reps, format('%I.rep_id', relation_name));
    end if;
    if 'team_id' = any(columns) then
        scopes := scopes || ('team_id in ' || visible_teams);
    end if;
    if 'scope_type' = any(columns) and 'scope_id' = any(columns) then
        scopes := scopes || (
            '(scope_type = ''rep'' and '
            || format(visible_reps, format('%I.scope_id', relation_name))
            || ')'
        );
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
