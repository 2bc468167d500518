{#
    Post-hook of every mart: grant it to the app reader and attach its row-level security,
    inside the transaction that swaps the rebuilt table in, so no build ever leaves a mart
    readable without its policies.

    Which rows a manager or rep sees follows the mart's columns:
    - `rep_id`: rows of the reps listed for the viewer (themselves; a manager also their teams');
    - `team_id`: rows of the teams the viewer manages;
    - `scope_type` / `scope_id`: rep- and team-scoped rows as above;
    - only `deal_id` (e.g. stage history): rows of the deals the viewer sees in `fct_deals`;
    - none of these: dimensions (`dim_*`) are reference data everyone reads; facts are finance's.
    A row matching any listed column is visible. Finance reads every row.
#}
{% macro access_protect() %}
{{ access_protect_relation(this, config.get("materialized")) }}
{% endmacro %}


{#- Also run by on-run-end for every mart built, when every mart a policy refers to exists. -#}
{% macro access_protect_relation(relation, materialized) %}
{%- set columns = adapter.get_columns_in_relation(relation) | map(attribute="name") | map("lower") | list -%}
{%- set deals = adapter.get_relation(relation.database, relation.schema, "fct_deals") -%}
{%- set visible_reps = "(select v.rep_id from app_meta.viewer_reps as v where v.db_role = current_user)" -%}
{%- set visible_teams = "(select v.team_id from app_meta.viewer_teams as v where v.db_role = current_user)" -%}
{%- set scopes = [] -%}
{%- if "rep_id" in columns -%}
    {%- do scopes.append("rep_id in " ~ visible_reps) -%}
{%- endif -%}
{%- if "team_id" in columns -%}
    {%- do scopes.append("team_id in " ~ visible_teams) -%}
{%- endif -%}
{%- if "scope_type" in columns and "scope_id" in columns -%}
    {%- do scopes.append("(scope_type = 'rep' and scope_id in " ~ visible_reps ~ ")") -%}
    {%- do scopes.append("(scope_type = 'team' and scope_id in " ~ visible_teams ~ ")") -%}
{%- endif -%}
{%- if not scopes and "deal_id" in columns and deals is not none and relation.identifier != "fct_deals" -%}
    {%- do scopes.append("deal_id in (select d.deal_id from " ~ deals ~ " as d)") -%}
{%- endif -%}
{%- if not scopes and relation.identifier.startswith("dim_") -%}
    {%- do scopes.append("true") -%}
{%- endif -%}
grant usage on schema {{ relation.schema }} to spw_app_reader;
grant select on {{ relation }} to spw_app_reader;
{% if materialized == "view" -%}
alter view {{ relation }} set (security_invoker = true);
{%- else -%}
alter table {{ relation }} enable row level security;
drop policy if exists spw_finance_reads_all on {{ relation }};
create policy spw_finance_reads_all on {{ relation }} for select to spw_finance using (true);
drop policy if exists spw_viewer_scope on {{ relation }};
{% if scopes -%}
create policy spw_viewer_scope on {{ relation }} for select to spw_manager, spw_rep
    using ({{ scopes | join(" or ") }});
{%- endif %}
{%- endif %}
{% endmacro %}
