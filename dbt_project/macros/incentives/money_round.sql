{#-
    THE rounding rule of incentives (docs/incentives.md): every commission line amount is
    `basis x rate` rounded once, half away from zero, to the cent (0.005 -> 0.01, -0.005 -> -0.01),
    as PostgreSQL's round(numeric, 2) and Spark's round(decimal, 2) both do; sums of lines are
    never rounded again.
-#}
{% macro money_round(expression) -%}
    cast(round(cast({{ expression }} as {{ type_exact_numeric() }}), 2) as numeric(18, 2))
{%- endmacro %}
