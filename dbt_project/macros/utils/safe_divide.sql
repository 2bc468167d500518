{#-
    `numerator / denominator` as an exact decimal division (never integer division, so 1 / 4 is
    0.25), or null when the denominator is zero or null instead of a division error.
-#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when ({{ denominator }}) = 0 then null
        else 1.0 * ({{ numerator }}) / ({{ denominator }})
    end
{%- endmacro %}
