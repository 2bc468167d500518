{#-
    `numerator / denominator` as an exact decimal division (never integer division, so 1 / 4 is
    0.25), or null when the denominator is zero or null instead of a division error.

    The quotient keeps at least 16 decimals on both engines, so a rate rounded afterwards (to 4
    decimals, or a money figure to the cent) is rounded once, as PostgreSQL rounds it. Spark
    keeps only 6 decimals of a quotient whose operand types are wide (a sum is decimal(38, 2)):
    it would round 0.12344950 to 0.123450 and then to 0.1235 where PostgreSQL gives 0.1234. On
    Spark the numerator is therefore cast to decimal(38, 18) (up to 10^20, far above any money
    sum), which leaves a decimal(38, 2) denominator 16 decimals and an integer one 18.
-#}
{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    case
        when ({{ denominator }}) = 0 then null
        else 1.0 * ({{ numerator }}) / ({{ denominator }})
    end
{%- endmacro %}

{% macro spark__safe_divide(numerator, denominator) -%}
    case
        when ({{ denominator }}) = 0 then null
        else cast({{ numerator }} as decimal(38, 18)) / ({{ denominator }})
    end
{%- endmacro %}
