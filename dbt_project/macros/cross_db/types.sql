{#-
    Types whose names differ between our engines (dbt.type_* covers string, int, bigint...).
    PostgreSQL's bare `numeric` is unbounded, while Spark's bare `decimal` (and `numeric`) is
    decimal(10, 0), which would round every amount to a whole unit: on Spark an exact
    intermediate number is decimal(38, 10), enough for basis x rate (2 + 6 decimals) exactly.
-#}

{#- An exact number of any scale, for intermediate money arithmetic (`cast(x as numeric)`). -#}
{% macro type_exact_numeric() -%}
    {{ return(adapter.dispatch('type_exact_numeric')()) }}
{%- endmacro %}

{% macro default__type_exact_numeric() -%}
    numeric
{%- endmacro %}

{% macro spark__type_exact_numeric() -%}
    decimal(38, 10)
{%- endmacro %}

{#- A point in time (PostgreSQL's `timestamptz`; Spark's `timestamp` is one already: it is stored
    as UTC and shown in the session time zone). -#}
{% macro type_timestamp_tz() -%}
    {{ return(adapter.dispatch('type_timestamp_tz')()) }}
{%- endmacro %}

{% macro default__type_timestamp_tz() -%}
    timestamptz
{%- endmacro %}

{% macro spark__type_timestamp_tz() -%}
    timestamp
{%- endmacro %}

{#- The Spark SQL type for a PostgreSQL type name as our contracts write them (text, numeric(18, 2),
    timestamptz, integer...); a name Spark reads as it is passes through. -#}
{% macro spark_type(postgres_type) -%}
    {%- set name = postgres_type | trim | lower %}
    {%- set renamed = {
        'text': 'string',
        'varchar': 'string',
        'timestamptz': 'timestamp',
        'timestamp with time zone': 'timestamp',
        'timestamp without time zone': 'timestamp_ntz',
        'numeric': 'decimal(38, 10)',
        'integer': 'int',
        'double precision': 'double',
        'real': 'float',
    } %}
    {{- return(renamed.get(name, name)) }}
{%- endmacro %}

{#- The type a contract's `data_type` names, for a cast in the model's SQL: as written on
    PostgreSQL (our contracts use its names), through `spark_type` on Spark. -#}
{% macro contract_type(data_type) -%}
    {{ return(adapter.dispatch('contract_type')(data_type)) }}
{%- endmacro %}

{% macro default__contract_type(data_type) -%}
    {{ data_type }}
{%- endmacro %}

{% macro spark__contract_type(data_type) -%}
    {{ spark_type(data_type) }}
{%- endmacro %}
