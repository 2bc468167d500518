{{
    config(
        materialized=incremental_materialization(),
        unique_key='activity_id',
        incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
        post_hook=[
            "{{ delete_records_deleted_at_source('activity_id', 'int_crm_activities_unioned') }}",
        ],
        indexes=[
            {'columns': ['activity_date']},
            {'columns': ['rep_id']},
            {'columns': ['deal_id']},
        ],
    )
}}

with

activities as (
    select * from {{ ref('int_crm_activities_unioned') }}
),

{% if is_incremental() %}
cutoff as (
    {{ incremental_load_cursor() }}
),
{% endif %}

scoped as (
    select activities.*
    from activities
    {% if is_incremental() -%}
    cross join cutoff
    {%- endif %}
    where
        not activities.is_deleted
        {% if is_incremental() -%}
        and {{ loaded_after_cursor('activities') }}
        {%- endif %}
),

final as (
    select
        activity_id,
        activity_type,
        owner_id as rep_id,
        deal_id,
        company_id,
        occurred_at,
        cast(occurred_at as date) as activity_date,
        updated_at as source_updated_at,
        source_system,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as _dlt_load_id
    from scoped
)

select * from final
