{#-
    The team (and its region) each row of `relation` is credited to: the rep's assignment in
    force on the row's date (`valid_from` <= date < `valid_to`). Returns `key_columns`, `team_id`
    and `region_id`, one row per key; rows whose rep had no assignment that day are left out
    (left join the result). Should assignments overlap, the latest-starting one wins.
-#}
{% macro assign_teams_on_date(relation, key_columns, rep_column, date_column) -%}
    select
        {% for column in key_columns -%}
            {{ column }},
        {% endfor -%}
        team_id,
        region_id
    from (
        select
            {% for column in key_columns -%}
                credited_rows.{{ column }},
            {% endfor -%}
            assignments.team_id,
            assignments.region_id,
            row_number() over (
                partition by
                {%- for column in key_columns %} credited_rows.{{ column }}{% if not loop.last %},{% endif %}{% endfor %}
                order by assignments.valid_from desc
            ) as assignment_rank
        from {{ relation }} as credited_rows
        inner join {{ ref('int_rep_assignments_joined') }} as assignments
            on
                credited_rows.{{ rep_column }} = assignments.rep_id
                and assignments.valid_from <= credited_rows.{{ date_column }}
                and (
                    assignments.valid_to is null
                    or assignments.valid_to > credited_rows.{{ date_column }}
                )
    ) as ranked_assignments
    where assignment_rank = 1
{%- endmacro %}
