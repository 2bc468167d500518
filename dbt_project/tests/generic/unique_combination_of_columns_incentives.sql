{#- The columns together identify a row: no two rows share the combination. -#}
{% test unique_combination_of_columns_incentives(model, columns) %}
select
    {{ columns | join(', ') }},
    count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
