{#-
    One CRM entity from both CRM inputs: the HubSpot API (`stg_crm__<entity>`) and the CRM export
    files (`stg_crm_files__<entity>`), staged to the same `columns`. Should both hold the same
    `key_columns`, the API's row wins (it is the system of record; the files fill gaps).
-#}
{% macro union_crm_systems(entity, columns, key_columns) -%}
    select
        {{ columns | join(',\n        ') }}
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by system_rank
            ) as key_rank
        from (
            select
                {{ columns | join(',\n                ') }},
                1 as system_rank
            from {{ ref('stg_crm__' ~ entity) }}
            union all
            select
                {{ columns | join(',\n                ') }},
                2 as system_rank
            from {{ ref('stg_crm_files__' ~ entity) }}
        ) as both_systems
    ) as ranked
    where key_rank = 1
{%- endmacro %}
