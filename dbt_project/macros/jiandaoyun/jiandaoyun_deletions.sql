{#-
    The deletions of one Jiandaoyun form as its staging models join them: the list API has no
    deleted flag, so a record is deleted when its form stops listing its id (found by reconciling
    ids, `deleted_records`). Read from the source, as staging reads sources only; the columns are
    those `stg_jiandaoyun__deleted_records` names.
-#}
{% macro jiandaoyun_deletions(form) -%}
    select
        form,
        cast(data_id as {{ dbt.type_string() }}) as record_id,
        is_deleted,
        _dlt_load_id
    from {{ source('jiandaoyun', 'deleted_records') }}
    where form = '{{ form }}'
{%- endmacro %}
