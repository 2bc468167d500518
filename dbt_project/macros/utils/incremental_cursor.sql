{#-
    The cursor of an incremental model: the newest `source_updated_at` already in it (1900-01-01
    when empty). Sources changed at or after it are rebuilt: `>=` re-reads the rows sharing the
    newest timestamp, which delete+insert makes harmless.
-#}
{% macro incremental_cursor() -%}
    select
        coalesce(
            max(source_updated_at),
            {{ dbt.safe_cast("'1900-01-01'", api.Column.translate_type('timestamp')) }}
        ) as max_updated_at
    from {{ this }}
{%- endmacro %}
