{#-
    Spark: make every dbt source a table over its Parquet folder, `<root>/<schema>/<table>`, the
    layout dlt's filesystem destination writes (docs/spark.md). `root` is a local path or an
    object storage URL (s3a://, gs://, abfss://). Run once per cluster catalogue, or per local
    session, before a build:
        dbt run-operation register_parquet_sources --target spark --args '{root: s3a://bucket/raw}'
    `only` (a list of "schema.table") limits it to the folders that exist: Spark cannot create a
    table over an empty folder, since the schema is read from the files.
-#}
{% macro register_parquet_sources(root, only=none) -%}
    {%- if target.type != 'spark' %}
        {{ exceptions.raise_compiler_error(
            'register_parquet_sources is for the spark target; PostgreSQL reads the raw schemas') }}
    {%- endif %}
    {%- set registered = [] %}
    {%- for source in graph.sources.values() %}
        {%- set name = source.schema ~ '.' ~ source.identifier %}
        {%- if name not in registered and (only is none or name in only) %}
            {%- do run_query('create schema if not exists ' ~ source.schema) %}
            {%- do run_query(
                'create table if not exists ' ~ name ~ " using parquet location '"
                ~ root.rstrip('/') ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'"
            ) %}
            {%- do registered.append(name) %}
        {%- endif %}
    {%- endfor %}
    {{- log('register_parquet_sources: ' ~ registered | length ~ ' tables over ' ~ root, info=true) }}
{%- endmacro %}
