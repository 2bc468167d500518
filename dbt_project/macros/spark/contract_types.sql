{#-
    Enforced contracts on Spark. dbt checks a contract by comparing the types the model's query
    returns with those of `select cast(null as <data_type>) ...` built from the YAML; our contracts
    name PostgreSQL's types (`text`, `timestamptz`), which Spark does not know, so here each is read
    through `spark_type` first (the models cast through `contract_type`, the same mapping), and the
    comparison is between Spark's own types.
-#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set spark_columns = {} %}
    {%- for key in columns %}
        {%- set column = columns[key] %}
        {%- set spark_column = {'name': column['name'], 'quote': column.get('quote')} %}
        {%- if column['data_type'] is defined and column['data_type'] is not none %}
            {%- do spark_column.update({'data_type': spark_type(column['data_type'])}) %}
        {%- endif %}
        {%- do spark_columns.update({key: spark_column}) %}
    {%- endfor %}
    {{- return(dbt.default__get_empty_schema_sql(spark_columns)) }}
{%- endmacro %}
