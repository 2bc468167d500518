{#- The columns together identify a row: no two rows share the combination. Answered from the
    catalog when PostgreSQL enforces it (macros/utils/enforced_constraints.sql). -#}
{% test unique_combination_of_columns_incentives(model, columns) %}
{%- if constraint_enforced(model, columns, 'unique_combination') %}
select {{ columns | join(', ') }}, 0 as row_count
from {{ model }}
where false
{%- else %}
select
    {{ columns | join(', ') }},
    count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{%- endif %}
{% endtest %}
