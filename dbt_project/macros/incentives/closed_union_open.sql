{#-
    The last step of every incentive mart: the rows frozen in the closed-periods store and the
    rows computed for the open periods, as one relation shaped and typed by the mart's contract.

    `closed_rows` and `open_rows` name CTEs holding every contract column except those given in
    `closed_values` / `open_values` (a column -> SQL expression map: a flag such as `is_closed`,
    a key computed the same way for both, a value only one side has). The columns are listed and
    cast from the model's YAML (`model.columns`), so adding a contract column changes only the
    YAML and the CTEs that compute it. Emits the CTEs `unioned` and `final`; the model ends
    `select * from final`.
-#}
{% macro closed_union_open(closed_rows, open_rows, closed_values, open_values) -%}
{%- set columns = model.columns.values() | list %}
unioned as (
    {%- for rows, values in [(closed_rows, closed_values), (open_rows, open_values)] %}
    select
        {%- for column in columns %}
        {% if column.name in values %}{{ values[column.name] }} as {% endif %}{{ column.name }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ rows }}
    {%- if loop.first %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        {%- for column in columns %}
        cast({{ column.name }} as {{ contract_type(column.data_type) }}) as {{ column.name }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from unioned
)
{%- endmacro %}
