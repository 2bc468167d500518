{#-
    Month-grain models kept incremental by month (delete+insert, `unique_key` the month column)
    decide which months to rewrite by hashing each month's inputs: `month_digests` hashes the rows
    of `relation` per month (`columns`, in the order of `order_by`), and `months_rewritten` keeps,
    on an incremental run, the months whose hash differs from the one stored on the built rows or
    that are new, plus the built months whose inputs are gone (with a null digest: the model writes
    one row of nulls for such a month, which replaces its rows, and its post-hook deletes it). A
    full build rewrites every month. Whatever changed a month's inputs (a new load, a moved date
    leaving one month for another, a late row, a correction upstream without a load of its own)
    changes its hash, so no cascade of months has to be worked out by hand; the cost is reading
    every input row to hash it (about 0.3 s a million rows on PostgreSQL).

    A model built as a whole table before it kept digests (an upgrade) has no `inputs_digest`
    column yet: its first incremental run rewrites every month, `on_schema_change` adds the
    columns, and a post-hook deleting the rows without a digest removes the rows built before.
-#}
{% macro month_digests(relation, month_column, columns, order_by) -%}
    select
        {{ month_column }},
        {{ dbt.hash(dbt.listagg(surrogate_key(columns), "''", 'order by ' ~ order_by)) }}
            as inputs_digest
    from {{ relation }}
    group by {{ month_column }}
{%- endmacro %}

{% macro months_rewritten(digests, month_column) -%}
    {%- if is_incremental() and built_with_digests() %}
    select
        {{ digests }}.{{ month_column }},
        {{ digests }}.inputs_digest
    from {{ digests }}
    left join (
        select distinct
            {{ month_column }},
            inputs_digest
        from {{ this }}
    ) as built
        on {{ digests }}.{{ month_column }} = built.{{ month_column }}
    where built.inputs_digest is null or built.inputs_digest != {{ digests }}.inputs_digest
    union all
    select distinct
        gone.{{ month_column }},
        cast(null as {{ dbt.type_string() }}) as inputs_digest
    from {{ this }} as gone
    where not exists (
        select 1
        from {{ digests }}
        where {{ digests }}.{{ month_column }} = gone.{{ month_column }}
    )
    {%- else %}
    select
        {{ month_column }},
        inputs_digest
    from {{ digests }}
    {%- endif %}
{%- endmacro %}

{#- The built model keeps `inputs_digest` (false for a table built before it did). -#}
{% macro built_with_digests() -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') -%}
    {{ return('inputs_digest' in names) }}
{%- endmacro %}
