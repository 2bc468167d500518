{#-
    Month-grain models kept incremental by month (delete+insert, `unique_key` the month column)
    decide which months to rewrite by hashing each month's inputs: `month_digests` hashes the rows
    of `relation` per month (`columns`), and `months_rewritten` keeps, on an incremental run, the
    months whose hash differs from the one stored on the built rows or that are new, plus the
    built months whose inputs are gone (with a null digest: the model writes one row of nulls for
    such a month, which replaces its rows, and its post-hook deletes it). A full build rewrites
    every month. Whatever changed a month's inputs (a new load, a moved date leaving one month for
    another, a late row, a correction upstream without a load of its own) changes its hash, so no
    cascade of months has to be worked out by hand; the cost is reading every input row to hash it.

    The hash of a month is order-free, so no sort is needed: the count of its rows and, twice with
    independent seeds, the sum of a 64-bit hash of each row's text (`rows_digest`). Two different
    months' rows give the same digest only if both sums collide, a chance of about one in 2^128.
    At bench scale L (1.1 million credits) hashing them takes about 1 s, where an ordered
    `listagg` of each row's md5 took about 4.5 s.

    The built digests are read by month through the model's index on the month column (one probe
    per month, `built_month_digests`), not by a scan of the built table (3 s at L for 2.7 million
    commission lines): a model using these macros keeps that index (`indexes` in its config).

    A model built as a whole table before it kept digests (an upgrade) has no `inputs_digest`
    column yet: its first incremental run rewrites every month, `on_schema_change` adds the
    columns, and a post-hook deleting the rows without a digest removes the rows built before.
-#}
{% macro month_digests(relation, month_column, columns) -%}
    select
        {{ month_column }},
        {{ rows_digest(key_text(columns)) }} as inputs_digest
    from {{ relation }}
    group by {{ month_column }}
{%- endmacro %}

{#- The order-free digest of a group's rows: their count and two seeded 64-bit hash sums of the
    text `expression`, joined as text. -#}
{% macro rows_digest(expression) -%}
    {{ return(adapter.dispatch('rows_digest')(expression)) }}
{%- endmacro %}

{% macro default__rows_digest(expression) -%}
    cast(count(*) as text)
    || ':' || cast(sum(hashtextextended({{ expression }}, 0)) as text)
    || ':' || cast(sum(hashtextextended({{ expression }}, 1)) as text)
{%- endmacro %}

{% macro spark__rows_digest(expression) -%}
    concat(
        cast(count(*) as string),
        ':', cast(sum(cast(xxhash64(0, {{ expression }}) as decimal(38, 0))) as string),
        ':', cast(sum(cast(xxhash64(1, {{ expression }}) as decimal(38, 0))) as string)
    )
{%- endmacro %}

{#- The built months and the digest kept on their rows, one index probe per month (a loose index
    scan: the next month after the last one found), PostgreSQL only: it renders in an incremental
    run, which Spark never makes. -#}
{% macro built_month_digests(month_column) -%}
    with recursive built_months as (
        select min({{ month_column }}) as built_month
        from {{ this }}
        union all
        select (
            select min(later.{{ month_column }})
            from {{ this }} as later
            where later.{{ month_column }} > built_months.built_month
        )
        from built_months
        where built_months.built_month is not null
    )
    select
        built_months.built_month as {{ month_column }},
        (
            select built.inputs_digest
            from {{ this }} as built
            where built.{{ month_column }} = built_months.built_month
            limit 1
        ) as inputs_digest
    from built_months
    where built_months.built_month is not null
{%- endmacro %}

{% macro months_rewritten(digests, month_column) -%}
    {%- if is_incremental() and built_with_digests() %}
    with built as (
        {{ built_month_digests(month_column) }}
    )
    select
        {{ digests }}.{{ month_column }},
        {{ digests }}.inputs_digest
    from {{ digests }}
    left join built
        on {{ digests }}.{{ month_column }} = built.{{ month_column }}
    where built.inputs_digest is null or built.inputs_digest != {{ digests }}.inputs_digest
    union all
    select
        built.{{ month_column }},
        cast(null as {{ dbt.type_string() }}) as inputs_digest
    from built
    where not exists (
        select 1
        from {{ digests }}
        where {{ digests }}.{{ month_column }} = built.{{ month_column }}
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
