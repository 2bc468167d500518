{#-
    One CRM entity from every CRM input: the CRM APIs (HubSpot `stg_crm__<entity>`, Salesforce
    `stg_salesforce__<entity>`, Zoho `stg_zoho__<entity>`, Jiandaoyun `stg_jiandaoyun__<entity>`)
    and the CRM export files (`stg_crm_files__<entity>`), staged to the same `columns`. Should
    several hold the same `key_columns`, the earlier system in `systems` wins: an API is the
    system of record, the files fill gaps.
-#}
{% macro union_crm_systems(
    entity, columns, key_columns, systems=['crm', 'salesforce', 'zoho', 'jiandaoyun', 'crm_files']
) -%}
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
            {%- for system in systems %}
            select
                {{ columns | join(',\n                ') }},
                {{ loop.index }} as system_rank
            from {{ ref('stg_' ~ system ~ '__' ~ entity) }}
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        ) as all_systems
    ) as ranked
    where key_rank = 1
{%- endmacro %}
