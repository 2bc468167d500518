{#
    Views are replaced in place on PostgreSQL.

    dbt's default view materialization renames the old view to a backup and then runs
    `drop view <backup> cascade`. Postgres views bind their inputs by object id, so that drop also
    removes every view built on top of the old one. When two threads rebuild sibling views that share
    a downstream view, both cascades try to lock it in opposite orders and one of them dies with
    "deadlock detected" (and, between the drop and the rebuild, the downstream view is missing).

    `create or replace view` keeps the view's identity, so dependents stay valid and nothing is
    dropped. Postgres only allows it while the existing columns keep their names, order and types
    (new columns may be added at the end); when a change breaks that (SQLSTATE 42P16 or 42804), the
    view is dropped with its dependents and created again, which is what the default materialization
    would have done. dbt rebuilds those dependents later in the same run when they are selected.
#}
{% materialization view, adapter='postgres' %}

  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='view') -%}

  {%- if existing_relation is none or not existing_relation.is_view -%}
    {{ return(dbt.materialization_view_default()) }}
  {%- endif -%}

  {%- set grant_config = config.get('grants') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('main') -%}
    {{ view_replace_or_recreate_sql(target_relation, sql) }}
  {%- endcall %}

  {% do apply_grants(target_relation, grant_config, should_revoke=True) %}
  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}


{% macro view_replace_or_recreate_sql(relation, sql) -%}
  {%- set replace_sql = get_replace_view_sql(relation, sql) | trim | trim(';') -%}
  {%- set create_sql = get_create_view_as_sql(relation, sql) | trim | trim(';') -%}
  do $dbt_view$
  begin
    execute {{ sql_text_literal(replace_sql) }};
  exception
    when invalid_table_definition or datatype_mismatch then
      raise notice 'view % changed shape: dropping it with its dependents and creating it again',
        {{ sql_text_literal(relation | string) }};
      execute {{ sql_text_literal('drop view if exists ' ~ relation ~ ' cascade') }};
      execute {{ sql_text_literal(create_sql) }};
  end
  $dbt_view$
{%- endmacro %}


{#- A SQL string literal holding `text`, single quotes doubled. -#}
{% macro sql_text_literal(text) -%}
  '{{ text | replace("'", "''") }}'
{%- endmacro %}
