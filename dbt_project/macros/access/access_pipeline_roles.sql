{#
    on-run-start (after `access_setup()`): the pipeline's own group roles, so a deployment can
    give each step a login that reaches only what the step needs (docs/reliability.md):

    - spw_loader: dlt. Creates the `raw_*` schemas (create on the database) and writes every table
      in them; BYPASSRLS, so a policy on a raw table can never hide rows from the load that
      merges into it. No access to the schemas dbt builds.
    - spw_transformer: dbt. Reads `raw_*`, creates and owns `staging`, `intermediate`, `marts`,
      `marts_audit` and `commission_forecast` (the commission chain's forecast scenario); cannot
      change a raw table.

    A login joins one of them (`create role etl_load login password '...' in role spw_loader`).
    The dbt login also needs CREATEROLE itself (attributes are not inherited) for the viewer
    roles `access_refresh()` creates. Grants on `raw_*` tables are re-applied here on every build,
    and default privileges cover the tables a later load creates.
#}
{% macro postgres__access_pipeline_roles() %}
do $access_pipeline_roles$
declare
    raw_schema text;
    built_schema text;
    is_superuser boolean;
begin
    perform pg_advisory_xact_lock(hashtext('spw_access_setup'));
    select rolsuper into is_superuser from pg_roles where rolname = current_user;
    {% call roles_retried() -%}
    if not exists (select from pg_roles where rolname = 'spw_loader') then
        create role spw_loader nologin;
    end if;
    if not exists (select from pg_roles where rolname = 'spw_transformer') then
        create role spw_transformer nologin;
    end if;
    if is_superuser then
        alter role spw_loader bypassrls;
    else
        raise notice 'access: only a superuser can give spw_loader BYPASSRLS; left unchanged';
    end if;
    {%- endcall %}
    execute format('grant create on database %I to spw_loader, spw_transformer', current_database());

    for raw_schema in
        select nspname from pg_namespace where nspname like 'raw\_%'
    loop
        execute format('grant usage, create on schema %I to spw_loader', raw_schema);
        execute format('grant all on all tables in schema %I to spw_loader', raw_schema);
        execute format('grant all on all sequences in schema %I to spw_loader', raw_schema);
        execute format(
            'alter default privileges in schema %I grant all on tables to spw_loader', raw_schema
        );
        execute format('grant usage on schema %I to spw_transformer', raw_schema);
        execute format('grant select on all tables in schema %I to spw_transformer', raw_schema);
        execute format(
            'alter default privileges in schema %I grant select on tables to spw_transformer',
            raw_schema
        );
    end loop;

    for built_schema in
        select nspname from pg_namespace
        where nspname in ('staging', 'intermediate', 'marts', 'marts_audit', 'commission_forecast')
    loop
        execute format('grant usage, create on schema %I to spw_transformer', built_schema);
        execute format('grant all on all tables in schema %I to spw_transformer', built_schema);
        execute format(
            'alter default privileges in schema %I grant all on tables to spw_transformer',
            built_schema
        );
    end loop;
end
$access_pipeline_roles$;
{% endmacro %}
