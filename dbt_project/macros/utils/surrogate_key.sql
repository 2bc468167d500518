{#-
    A deterministic key from several columns: the hash of their text values joined by '|', with
    nulls spelled '_null_' so (a, null) and (null, a) never collide.
-#}
{% macro surrogate_key(columns) -%}
    {{ dbt.hash(key_text(columns)) }}
{%- endmacro %}

{#- The text `surrogate_key` hashes: the columns' text values joined by '|', nulls '_null_'. -#}
{% macro key_text(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
