{#
    Roles belong to the whole PostgreSQL server, not to one database, while the advisory lock the
    access macros take (`spw_access_setup`) holds within one database only. Two builds of two
    warehouses on one server (a staging and a production database, or two test suites) can
    therefore create, grant or alter the same role at the same moment, and PostgreSQL refuses the
    later one: a duplicate key on the role's name, or "tuple concurrently updated". The statements
    given are idempotent (a role is created only when missing, a grant given twice changes
    nothing), so they run again once the other build's change is committed and visible: up to
    five tries, 0.2, 0.4, 0.6 and 0.8 s apart, each in a savepoint of its own; the fifth failure
    is raised as it came, naming the statement.

    Used as `{% call roles_retried() %} ...statements... {% endcall %}` inside a PL/pgSQL block.
#}
{% macro roles_retried() -%}
for role_attempt in 1..5 loop
        begin
            {{ caller() }}
            exit;
        exception when unique_violation or duplicate_object or internal_error then
            if role_attempt = 5 then
                raise;
            end if;
            raise notice 'access: another build changed the same roles (%); trying again', sqlerrm;
            perform pg_sleep(0.2 * role_attempt);
        end;
    end loop;
{%- endmacro %}
