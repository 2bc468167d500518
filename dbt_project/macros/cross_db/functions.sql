{#-
    Functions our engines spell differently and dbt's cross-database macros do not cover. Each
    dispatches: `default__` is PostgreSQL's form (the project's first engine), `spark__` Spark
    SQL's. A model never writes these constructs itself (tests/spark/test_engine_syntax.py).
-#}

{#- `expression` matches the regular expression `pattern` (the bare pattern, quoted here: Spark's
    string literals take backslash escapes, PostgreSQL's standard ones do not). -#}
{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    {{ expression }} ~ '{{ pattern | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern) -%}
    {{ expression }} rlike '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{#- The month of the date `expression` as text, 'YYYY-MM'. -#}
{% macro year_month_text(expression) -%}
    {{ return(adapter.dispatch('year_month_text')(expression)) }}
{%- endmacro %}

{% macro default__year_month_text(expression) -%}
    to_char({{ expression }}, 'YYYY-MM')
{%- endmacro %}

{% macro spark__year_month_text(expression) -%}
    date_format({{ expression }}, 'yyyy-MM')
{%- endmacro %}

{#- Seconds since 1970-01-01 00:00 UTC of the timestamp `expression`, as a number. -#}
{% macro epoch_seconds(expression) -%}
    {{ return(adapter.dispatch('epoch_seconds')(expression)) }}
{%- endmacro %}

{% macro default__epoch_seconds(expression) -%}
    extract(epoch from {{ expression }})
{%- endmacro %}

{% macro spark__epoch_seconds(expression) -%}
    unix_timestamp({{ expression }})
{%- endmacro %}

{#- The ISO day of the week of the date `expression`: 1 Monday ... 7 Sunday. -#}
{% macro iso_day_of_week(expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week')(expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(expression) -%}
    extract(isodow from {{ expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(expression) -%}
    {#- Spark's dayofweek is 1 Sunday ... 7 Saturday. -#}
    (((dayofweek({{ expression }}) + 5) % 7) + 1)
{%- endmacro %}

{#- The exact number `expression` cut (toward zero, never rounded) to `places` decimals. -#}
{% macro truncate_number(expression, places) -%}
    {{ return(adapter.dispatch('truncate_number')(expression, places)) }}
{%- endmacro %}

{% macro default__truncate_number(expression, places) -%}
    trunc({{ expression }}, {{ places }})
{%- endmacro %}

{% macro spark__truncate_number(expression, places) -%}
    {#- Spark's trunc() is for dates only. Whole-number scaling keeps the decimal exact. -#}
    {%- set scale = 10 ** places %}
    (case
        when {{ expression }} < 0 then -floor(-({{ expression }}) * {{ scale }})
        else floor(({{ expression }}) * {{ scale }})
    end / {{ scale }})
{%- endmacro %}

{#- An exact number as text, as PostgreSQL prints a `numeric` without a declared scale: the digits
    it holds (a dlt load id `1796248778.5660305` read back as `1796248778.5660305`). Spark prints a
    decimal with its type's whole scale (`1796248778.5660305000` for decimal(38, 10), and zero as
    `0E-10`), so there the trailing zeros of the fraction, and a bare point, are dropped. -#}
{% macro exact_number_text(expression) -%}
    {{ return(adapter.dispatch('exact_number_text')(expression)) }}
{%- endmacro %}

{% macro default__exact_number_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__exact_number_text(expression) -%}
    {%- set text = 'cast(' ~ expression ~ ' as string)' %}
    (case
        when {{ expression }} = 0 then '0'
        when instr({{ text }}, '.') > 0
            then trim(trailing '.' from trim(trailing '0' from {{ text }}))
        else {{ text }}
    end)
{%- endmacro %}
