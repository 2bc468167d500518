{#-
    A person's name as our users write it: Chinese names family name first without a space
    (陈丹), others "first last". Every CRM's owners are named by this one rule.
-#}
{% macro full_name(first_name, last_name) -%}
    case
        when {{ regex_matches('coalesce(' ~ last_name ~ ", '')", '[^\\x01-\\x7f]') }} then concat({{ last_name }}, {{ first_name }})
        else concat_ws(' ', {{ first_name }}, {{ last_name }})
    end
{%- endmacro %}
